// Minimal web chat for the demo page: POST /api/chat, render replies with dir="auto".
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("message");
  var key = "pes-chat-session";
  var session = localStorage.getItem(key);
  if (!session) {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    session = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    localStorage.setItem(key, session);
  }
  var lang = (navigator.language || "sl").split("-")[0];

  function add(who, text, dir) {
    var el = document.createElement("div");
    el.className = "msg " + who;
    el.setAttribute("dir", dir || "auto");
    el.textContent = text;
    log.appendChild(el);
    log.scrollTop = log.scrollHeight;
    return el;
  }

  function render(messages, isError) {
    messages.forEach(function (m) {
      var el = add("bot" + (isError ? " error" : ""), m.text || "", m.dir);
      if (m.buttons && m.buttons.length) {
        var box = document.createElement("div");
        box.className = "buttons";
        m.buttons.forEach(function (b) {
          var btn = document.createElement("button");
          btn.type = "button";
          btn.setAttribute("dir", "auto");
          btn.textContent = b.title;
          btn.addEventListener("click", function () { send(b.payload, b.title); });
          box.appendChild(btn);
        });
        el.appendChild(box);
      }
    });
  }

  function send(message, shown) {
    add("user", shown || message);
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: session, message: message, lang: lang })
    }).then(function (r) {
      return r.json().then(function (body) { render(body.messages || [], !r.ok); });
    }).catch(function () {
      render([{ text: "Connection problem. Please try again in a minute. / Težava s povezavo. Poskusite znova čez minuto." }], true);
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
})();
