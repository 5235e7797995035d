/*! PES chat widget. One tag embeds it on any page:
 * <script src="https://GATEWAY/static/widget.js" defer
 *   data-server="https://GATEWAY" data-lang="sl" data-title="..." data-color="#00457c"
 *   data-text-color="#ffffff" data-storage="session"></script>
 * Vanilla JS, no build step. Protocol and options: docs/widget.md. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  if (!script || window.PESChatWidget) return;
  var cfg = script.dataset || {};
  var root = (cfg.server ? new URL(cfg.server, location.href) : new URL("/", script.src || location.href)).href.replace(/\/+$/, "");
  var KNOWN = ["en", "sl", "uk", "ru", "ar", "fa", "ps", "ur", "tr", "fr", "so", "ti", "ku", "ckb"];
  var RTL = { ar: 1, fa: 1, ps: 1, ur: 1, ckb: 1 };
  var ALIAS = { prs: "fa", pes: "fa", pbt: "ps", pus: "ps", kmr: "ku", slv: "sl" };
  var FALLBACK = {
    title: "Employment Service assistant", launcher: "Chat with the assistant", close: "Close the chat",
    input_label: "Your message", placeholder: "Write your question…", send: "Send", language_label: "Language",
    privacy: "", privacy_ok: "OK", offline: "No connection. Your messages will be sent when you are back online.",
    reconnecting: "Connecting again…", typing: "The assistant is writing…", counsellor: "Counsellor",
    you: "You", assistant: "Assistant", queued: "Not sent yet", failed: "Not sent", log_label: "Conversation"
  };
  var MAX_TRANSCRIPT = 200;

  // --- storage: session id, transcript, outbound queue, language, UI state -------------
  var storage = null;
  try {
    storage = cfg.storage === "local" ? window.localStorage : window.sessionStorage;
    storage.setItem("pes-widget-test", "1");
    storage.removeItem("pes-widget-test");
  } catch (e) { storage = null; }
  var KEY = "pes-widget";
  var state = {};
  try { state = JSON.parse((storage && storage.getItem(KEY)) || "{}") || {}; } catch (e) { state = {}; }
  function save() {
    if (state.transcript.length > MAX_TRANSCRIPT) state.transcript = state.transcript.slice(-MAX_TRANSCRIPT);
    try { if (storage) storage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
  }
  function rid(n) {
    var a = new Uint8Array(n);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  if (typeof state.session !== "string" || !/^[A-Za-z0-9_-]{8,64}$/.test(state.session)) state.session = rid(16);
  if (!Array.isArray(state.transcript)) state.transcript = [];
  if (!Array.isArray(state.queue)) state.queue = [];
  state.strings = state.strings || {};

  function code(tag) {
    if (!tag) return null;
    var c = String(tag).toLowerCase().replace("_", "-");
    if (c === "ku-arab" || c === "ku-iq") return "ckb";
    c = c.split("-")[0];
    c = ALIAS[c] || c;
    return KNOWN.indexOf(c) >= 0 ? c : null;
  }
  if (!code(state.lang)) {
    var langs = [].concat(navigator.languages || [], navigator.language || []);
    state.lang = null;
    for (var i = 0; i < langs.length && !state.lang; i++) state.lang = code(langs[i]);
    state.lang = state.lang || code(cfg.lang) || code(document.documentElement.lang) || "en";
  }
  save();

  // --- DOM -----------------------------------------------------------------------------
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === true) n.setAttribute(k, "");
      else if (attrs[k] != null && attrs[k] !== false) n.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c != null) n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function svg(path) {
    var s = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS("http://www.w3.org/2000/svg", "path");
    p.setAttribute("d", path);
    s.appendChild(p);
    return s;
  }

  var CSS = ":host{all:initial;--c:#00457c;--ct:#fff;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',sans-serif;color:#1b1b1b}" +
    "*{box-sizing:border-box;font:inherit}[hidden]{display:none!important}" +
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}" +
    ":focus-visible{outline:3px solid #ffbf47;outline-offset:2px;box-shadow:0 0 0 2px #0b0c0c}" +
    "button{cursor:pointer;min-height:44px;border-radius:22px;border:2px solid var(--c);padding:.35rem 1rem}" +
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;align-items:center;gap:.5rem;background:var(--c);color:var(--ct);font-weight:600;box-shadow:0 2px 8px rgba(0,0,0,.3);min-height:52px;border-radius:26px;padding:.4rem 1.1rem .4rem .8rem}" +
    ".launcher svg,.close svg{width:24px;height:24px;fill:currentColor;flex:none}" +
    ".launcher.unread::after{content:'';width:12px;height:12px;border-radius:50%;background:#d4351c;border:2px solid #fff}" +
    ".panel{position:fixed;right:16px;bottom:16px;z-index:2147483000;width:min(400px,calc(100vw - 32px));height:min(640px,calc(100vh - 32px));display:flex;flex-direction:column;background:#fff;border:1px solid #6f777b;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.3);overflow:hidden}" +
    ".head{display:flex;align-items:center;gap:.5rem;padding:.5rem .5rem .5rem .9rem;background:var(--c);color:var(--ct)}" +
    "h2{flex:1;margin:0;font-size:1rem;font-weight:700;min-width:0}" +
    "select{min-height:44px;max-width:9.5rem;border:2px solid var(--ct);border-radius:8px;background:#fff;color:#1b1b1b;padding:0 .3rem}" +
    ".close{background:transparent;color:var(--ct);border-color:transparent;padding:.35rem;min-width:44px;display:flex;align-items:center;justify-content:center}" +
    ".notice{margin:.6rem;padding:.6rem .75rem;border-inline-start:5px solid var(--c);background:#f3f6f9;font-size:.9rem}" +
    ".notice p{margin:0 0 .5rem}.notice button{background:var(--c);color:var(--ct)}" +
    ".status{padding:0 .9rem;font-size:.9rem;color:#8a3a00;font-weight:600}.status:empty{display:none}" +
    ".log{flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:.5rem;padding:.75rem}" +
    ".row{max-width:88%;display:flex;flex-direction:column;gap:.3rem}" +
    ".row.user{align-self:flex-end;align-items:flex-end}.row.bot,.row.counsellor,.row.error{align-self:flex-start;align-items:flex-start}" +
    ".msg{padding:.5rem .8rem;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;background:#eef1f5;color:#1b1b1b}" +
    ".user .msg{background:var(--c);color:var(--ct)}.user .msg a{color:inherit}.counsellor .msg{background:#fff4e5;border:1px solid #b35900}.error .msg{background:#fde8e8;color:#6b0000}" +
    ".msg a{color:#00457c}.who{font-size:.8rem;font-weight:700;color:#7a3d00}" +
    ".meta{font-size:.8rem;color:#505a5f}.meta.failed{color:#a8071a;font-weight:600}" +
    ".quick{display:flex;flex-wrap:wrap;gap:.4rem}.quick button{background:#fff;color:#00457c;border-color:#00457c}" +
    ".typing{display:flex;align-items:center;gap:.5rem;padding:0 .9rem .3rem;font-size:.85rem;color:#505a5f}" +
    ".dots i{display:inline-block;width:6px;height:6px;margin:0 2px;border-radius:50%;background:#505a5f;animation:b 1.2s infinite}" +
    ".dots i:nth-child(2){animation-delay:.2s}.dots i:nth-child(3){animation-delay:.4s}@keyframes b{0%,80%,100%{opacity:.25}40%{opacity:1}}" +
    "form{display:flex;gap:.5rem;align-items:flex-end;padding:.6rem;border-top:1px solid #b1b4b6}" +
    "textarea{flex:1;min-width:0;min-height:44px;max-height:8rem;resize:none;padding:.55rem .6rem;border:2px solid #505a5f;border-radius:8px;color:#1b1b1b;background:#fff}" +
    "textarea::placeholder{color:#5f6569}" +
    "form button{background:var(--c);color:var(--ct);font-weight:600}" +
    "@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0;border:0}.launcher{right:12px;bottom:12px}}" +
    "@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}" +
    "@media (forced-colors:active){.msg,.launcher,button{border:1px solid CanvasText}}";

  var s = Object.assign({}, FALLBACK, state.strings[state.lang] && state.strings[state.lang].strings);
  var languages = (state.strings[state.lang] && state.strings[state.lang].languages) || KNOWN.map(function (c) { return { code: c, name: c }; });

  var host = el("aside", { id: "pes-chat-widget" });
  var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (shadow.adoptedStyleSheets && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.appendChild(el("style", {}, [CSS]));
  }
  if (cfg.color) host.style.setProperty("--c", cfg.color);
  if (cfg.textColor) host.style.setProperty("--ct", cfg.textColor);

  var launcherText = el("span");
  var launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "pes-panel" },
    [svg("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"), launcherText]);
  var title = el("h2", { id: "pes-title" });
  var langLabel = el("label", { "for": "pes-lang", "class": "sr" });
  var picker = el("select", { id: "pes-lang" });
  var closeBtn = el("button", { type: "button", "class": "close" }, [svg("M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z")]);
  var privacyText = el("p");
  var privacyOk = el("button", { type: "button" });
  var notice = el("div", { "class": "notice", id: "pes-privacy", hidden: true }, [privacyText, privacyOk]);
  var status = el("div", { "class": "status", role: "status" });
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
  var typingText = el("span");
  var typing = el("div", { "class": "typing", role: "status", hidden: true }, [el("span", { "class": "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]), typingText]);
  var inputLabel = el("label", { "for": "pes-input", "class": "sr" });
  var input = el("textarea", { id: "pes-input", rows: "1", dir: "auto", autocomplete: "off" });
  var sendBtn = el("button", { type: "submit" });
  var form = el("form", { "class": "composer" }, [inputLabel, input, sendBtn]);
  var panel = el("div", { "class": "panel", id: "pes-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "pes-title", hidden: true },
    [el("div", { "class": "head" }, [title, langLabel, picker, closeBtn]), notice, status, log, typing, form]);
  shadow.appendChild(el("div", { "class": "w" }, [launcher, panel]));

  function dirOf(c) { return RTL[c] ? "rtl" : "ltr"; }

  function applyStrings(data) {
    if (data) {
      state.strings = {};
      state.strings[state.lang] = data;
      save();
      s = Object.assign({}, FALLBACK, data.strings);
      languages = data.languages || languages;
      if (data.max_chars) input.setAttribute("maxlength", data.max_chars);
    }
    var uiLang = (data && data.lang) || (state.strings[state.lang] && state.strings[state.lang].lang) || "en";
    var d = dirOf(state.lang);
    [panel, launcher].forEach(function (n) { n.setAttribute("dir", d); n.setAttribute("lang", uiLang); });
    host.setAttribute("aria-label", cfg.title || s.title);
    title.textContent = cfg.title || s.title;
    launcherText.textContent = s.launcher;
    // The contract: the launcher's accessible name contains "chat" (page's language or English).
    launcher.setAttribute("aria-label", /chat|klepet/i.test(s.launcher) ? s.launcher : s.launcher + " (chat)");
    closeBtn.setAttribute("aria-label", s.close);
    closeBtn.setAttribute("title", s.close);
    langLabel.textContent = s.language_label;
    privacyText.textContent = s.privacy;
    privacyOk.textContent = s.privacy_ok;
    log.setAttribute("aria-label", s.log_label);
    typingText.textContent = s.typing;
    inputLabel.textContent = s.input_label;
    input.setAttribute("placeholder", s.placeholder);
    sendBtn.textContent = s.send;
    picker.textContent = "";
    languages.forEach(function (l) {
      picker.appendChild(el("option", { value: l.code, lang: l.code, dir: l.dir || dirOf(l.code), selected: l.code === state.lang }, [l.name]));
    });
    showStatus();
    relabel();
  }

  function loadStrings(lang) {
    return fetch(root + "/api/widget/strings?lang=" + encodeURIComponent(lang), { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { if (lang === state.lang) applyStrings(data); }, function () { applyStrings(null); });
  }
  // The widget's own words follow the language the replies are written in (a Persian
  // sentence makes the panel Persian and right to left), unless the person chose one in
  // the picker or with a language button (state.picked, kept with the conversation).
  // Languages without UI words of their own (not "core") keep the words the panel has.
  function choose(c) {
    state.picked = c;
    var changed = c !== state.lang;
    state.lang = c;
    save();
    return changed ? loadStrings(c) : Promise.resolve();
  }
  function chosenIn(payload) {
    var m = /^\/choose_language(\{.*\})$/.exec(payload || "");
    try { return m ? code(JSON.parse(m[1]).language) : null; } catch (e) { return null; }
  }
  function follow(lang) {
    var c = code(lang);
    if (!c || c === state.lang || state.picked) return;
    if (!languages.some(function (l) { return l.code === c && l.core; })) return;
    state.lang = c;
    save();
    loadStrings(c);
  }

  // --- transcript ------------------------------------------------------------------------
  var LINK = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'»”])/g;
  function withLinks(node, text) {
    String(text || "").split(LINK).forEach(function (part, i) {
      node.appendChild(i % 2 ? el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, [part]) : document.createTextNode(part));
    });
    return node;
  }
  function label(who) { return who === "user" ? s.you + ":" : who === "counsellor" ? s.counsellor : s.assistant + ":"; }
  function relabel() { // new UI language: only the labels change (the live log is not re-announced)
    Array.prototype.forEach.call(log.children, function (r) {
      var who = (r.className.match(/user|counsellor|bot|error/) || ["bot"])[0];
      r.firstChild.textContent = label(who);
      var meta = r.querySelector(".meta");
      if (meta) meta.textContent = r.getAttribute("data-state") === "failed" ? s.failed : s.queued;
    });
  }
  function row(m, quick) {
    var r = el("div", { "class": "row " + m.who, dir: m.dir || "auto", "data-id": m.id, "data-state": m.state || null });
    r.appendChild(el("span", { "class": m.who === "counsellor" ? "who" : "sr" }, [label(m.who)]));
    r.appendChild(withLinks(el("div", { "class": "msg", dir: m.dir || "auto" }), m.text));
    if (m.image) r.appendChild(el("a", { href: m.image, target: "_blank", rel: "noopener noreferrer" }, [m.image]));
    if (m.state === "queued" || m.state === "failed") r.appendChild(el("span", { "class": "meta " + m.state }, [m.state === "queued" ? s.queued : s.failed]));
    if (quick && m.buttons && m.buttons.length) {
      r.appendChild(el("div", { "class": "quick" }, m.buttons.map(function (b) {
        var btn = el("button", { type: "button", dir: "auto" }, [b.title]);
        btn.addEventListener("click", function () {
          var c = chosenIn(b.payload);
          if (c) choose(c);
          send(b.payload, b.title);
          input.focus();
        });
        return btn;
      })));
    }
    return r;
  }
  function lastUser() {
    for (var i = state.transcript.length - 1; i >= 0; i--) if (state.transcript[i].who === "user" && !state.transcript[i].hidden) return i;
    return -1;
  }
  function renderAll() {
    log.textContent = "";
    var last = lastUser();
    state.transcript.forEach(function (m, i) { if (!m.hidden) log.appendChild(row(m, i > last)); });
    log.scrollTop = log.scrollHeight;
  }
  function seen(id) { return state.transcript.some(function (m) { return m.id === id; }); }
  function add(m) {
    state.transcript.push(m);
    save();
    if (m.hidden) return;
    if (m.who === "user") Array.prototype.forEach.call(log.querySelectorAll(".quick"), function (q) { q.remove(); });
    log.appendChild(row(m, m.who !== "user"));
    log.scrollTop = log.scrollHeight;
    if (panel.hidden && m.who !== "user") launcher.classList.add("unread");
  }
  function setState(id, st) {
    state.transcript.forEach(function (m) { if (m.id === id) m.state = st; });
    save();
    var r = log.querySelector("[data-id='" + id + "']");
    if (!r) return;
    var meta = r.querySelector(".meta");
    if (meta) meta.remove();
    if (st) { r.setAttribute("data-state", st); } else { r.removeAttribute("data-state"); }
    if (st === "failed") r.appendChild(el("span", { "class": "meta failed" }, [s.failed]));
  }

  // --- connection ---------------------------------------------------------------------------
  var ws = null, ready = false, attempts = 0, retryTimer = null, inflight = {}, started = false, lost = false;
  function showStatus() {
    status.textContent = !navigator.onLine ? s.offline : lost && !ready ? s.reconnecting : "";
  }
  function showTyping() { typing.hidden = !Object.keys(inflight).some(function (k) { return inflight[k] === 2; }); }
  function connect() {
    started = true;
    clearTimeout(retryTimer);
    if (ws || !navigator.onLine) { showStatus(); return; }
    try { ws = new WebSocket(root.replace(/^http/, "ws") + "/api/ws"); } catch (e) { ws = null; schedule(); return; }
    var sock = ws;
    sock.onopen = function () { sock.send(JSON.stringify({ type: "hello", session: state.session, lang: state.lang })); };
    sock.onmessage = function (e) { var f; try { f = JSON.parse(e.data); } catch (x) { return; } if (ws === sock) onFrame(f); };
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null; ready = false; inflight = {}; lost = true;
      showTyping();
      if (navigator.onLine) schedule();
      showStatus();
    };
  }
  function schedule() {
    clearTimeout(retryTimer);
    var delay = Math.min(30000, 1000 * Math.pow(2, attempts++)) * (0.5 + Math.random() / 2);
    retryTimer = setTimeout(connect, delay);
  }
  function flush() {
    if (!ready) return;
    state.queue.forEach(function (q) {
      if (inflight[q.id]) return;
      inflight[q.id] = 1;
      ws.send(JSON.stringify({ type: "message", id: q.id, text: q.text, lang: state.lang }));
    });
  }
  function dequeue(id) {
    state.queue = state.queue.filter(function (q) { return q.id !== id; });
    delete inflight[id];
    save();
    showTyping();
  }
  var erasedBy = null;
  function forgetAll() {
    // The person's data was deleted on the server: forget the browser's copy as well
    // (what is on screen stays until the page closes) and go on in a new session.
    erasedBy = null;
    // The new conversation does not know the picker's choice either: the words follow it again.
    state.transcript = []; state.queue = []; state.privacyAck = false; state.picked = null; state.session = rid(16); save();
    if (ws) { var old = ws; ws = null; ready = false; inflight = {}; old.close(); connect(); }
    showTyping();
  }
  function onFrame(f) {
    if (f.type === "ready") { ready = true; attempts = 0; showStatus(); flush(); }
    else if (f.type === "typing") { inflight[f.reply_to] = 2; setState(f.reply_to, null); showTyping(); }
    else if (f.type === "message" && f.id && !seen(f.id)) {
      add({ id: f.id, who: f.kind === "counsellor_reply" ? "counsellor" : "bot", text: f.text || "", dir: f.dir, buttons: f.buttons || [], image: f.image || null });
      follow(f.lang);
    } else if (f.type === "erased") { erasedBy = f.reply_to; }
    else if (f.type === "done") {
      dequeue(f.reply_to);
      if (erasedBy === f.reply_to) forgetAll();
    }
    else if (f.type === "error") {
      var key = "e-" + (f.reply_to || rid(4)) + "-" + f.code;
      if (!seen(key + "-0")) (f.messages || []).forEach(function (m, i) { add({ id: key + "-" + i, who: "error", text: m.text, dir: m.dir }); });
      if (!f.reply_to) return;
      if (f.code === "rate_limited") {
        delete inflight[f.reply_to];
        showTyping();
        setTimeout(flush, Math.max(1, f.retry_after || 5) * 1000);
      } else {
        dequeue(f.reply_to);
        setState(f.reply_to, "failed");
      }
    }
  }
  window.addEventListener("offline", function () { if (ws) { var w = ws; ws = null; ready = false; inflight = {}; lost = true; w.close(); } showTyping(); showStatus(); });
  window.addEventListener("online", function () { attempts = 0; if (started) connect(); showStatus(); });

  function send(text, shown) {
    text = String(text || "").trim();
    if (!text) return;
    var id = "m" + Date.now().toString(36) + rid(4);
    add({ id: id, who: "user", text: shown || text, dir: "auto", state: "queued", hidden: shown === false });
    state.queue.push({ id: id, text: text });
    save();
    flush();
  }

  // --- opening and closing ----------------------------------------------------------------------
  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    launcher.classList.remove("unread");
    notice.hidden = !!state.privacyAck || !s.privacy;
    if (notice.hidden) input.removeAttribute("aria-describedby"); else input.setAttribute("aria-describedby", "pes-privacy");
    state.open = true;
    if (!state.transcript.length && !state.queue.length) send("/greet", false);
    save();
    connect();
    log.scrollTop = log.scrollHeight;
    if (focus) input.focus();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  }
  launcher.addEventListener("click", function () { open(true); });
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });
  privacyOk.addEventListener("click", function () {
    state.privacyAck = true;
    save();
    notice.hidden = true;
    input.removeAttribute("aria-describedby");
    input.focus();
  });
  picker.addEventListener("change", function () {
    var c = code(picker.value);
    if (!c || c === state.lang) return;
    var name = picker.options[picker.selectedIndex].textContent;
    choose(c).then(function () { picker.focus(); });
    send('/choose_language{"language": "' + c + '"}', name);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    input.style.height = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true })); }
  });
  input.addEventListener("input", function () {
    input.style.height = "";
    input.style.height = Math.min(input.scrollHeight + 4, 128) + "px";
  });

  function mount() {
    document.body.appendChild(host);
    applyStrings(null);
    renderAll();
    loadStrings(state.lang);
    if (state.open) open(false);
    else if (state.transcript.length || state.queue.length) connect();
  }
  window.PESChatWidget = { open: function () { open(true); }, close: close };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
