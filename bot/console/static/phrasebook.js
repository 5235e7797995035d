// Case page: live phrase search, live phrase preview and the back-translation preview.
// Only an improvement: without it the same forms post and the page comes back rendered
// by the server. Text goes in with textContent (never innerHTML); no inline scripts.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) { return; }

  function later(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (r) { return r.ok ? r.json() : null; });
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function field(box, name) { return box.querySelector("[data-field=" + name + "]"); }

  // --- live search ----------------------------------------------------------------
  var search = document.getElementById("phrase-search");
  var hits = document.getElementById("phrase-hits");
  if (search && hits) {
    var input = search.querySelector("input[name=q]");
    var caseId = search.getAttribute("data-case");
    var find = later(function () {
      var q = input.value.trim();
      if (!q) { hits.textContent = ""; return; }
      fetch(search.getAttribute("data-search") + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) { return; }
        hits.textContent = "";
        hits.appendChild(el("h3", hits.getAttribute("data-heading")));
        if (!data.hits.length) { hits.appendChild(el("p", hits.getAttribute("data-none"), "hint")); return; }
        var list = el("ul", null, "hits");
        data.hits.forEach(function (hit) {
          var item = el("li");
          var link = el("a", hit.title);
          link.href = "/console/cases/" + caseId + "?q=" + encodeURIComponent(q) +
            "&phrase=" + encodeURIComponent(hit.id) + "#phrase-form";
          item.appendChild(link);
          item.appendChild(document.createTextNode(" "));
          item.appendChild(el("span", hit.text, "hint"));
          list.appendChild(item);
        });
        hits.appendChild(list);
      }).catch(function () { /* the search button still works */ });
    }, 250);
    input.addEventListener("input", find);
  }

  // --- live phrase preview ------------------------------------------------------------
  var phrase = document.getElementById("phrase-form");
  if (phrase) {
    var box = document.getElementById("phrase-preview");
    var show = function () {
      post(phrase.getAttribute("data-preview"), phrase).then(function (data) {
        if (!data) { return; }
        phrase.querySelectorAll(".field-error").forEach(function (p) {
          var name = p.id.replace(/^phrase-v_/, "").replace(/-error$/, "");
          var input = document.getElementById("phrase-v_" + name);
          var bad = !data.ok && data.errors && Object.prototype.hasOwnProperty.call(data.errors, name) &&
            !!input && input.value.trim() !== "";  // an empty field is still being filled in
          p.hidden = !bad;
          if (input) {
            if (bad) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", p.id); }
            else { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
          }
        });
        if (!data.ok) { box.hidden = true; return; }
        var sent = field(box, "sent");
        sent.textContent = data.sent;
        sent.setAttribute("lang", data.lang);
        sent.setAttribute("dir", data.dir);
        field(box, "own").textContent = data.own;
        var how = field(box, "how");
        how.textContent = how.getAttribute(data.human ? "data-human" : data.machine ? "data-machine" : "data-plain");
        box.hidden = false;
      }).catch(function () { /* the preview button still works */ });
    };
    phrase.addEventListener("change", later(show, 150));
    var button = document.getElementById("phrase-preview-button");
    if (button) {
      button.addEventListener("click", function (event) {
        if (!phrase.reportValidity()) { return; }
        event.preventDefault();
        show();
      });
    }
    if (!phrase.querySelector("fieldset")) { show(); }  // nothing to fill in: show it at once
  }

  // --- back-translation of a free-text reply -----------------------------------------------
  var previewButton = document.getElementById("reply-preview-button");
  var back = document.getElementById("back-translation");
  if (previewButton && back) {
    previewButton.addEventListener("click", function (event) {
      var form = previewButton.form;
      if (!form.reportValidity()) { return; }
      event.preventDefault();
      post(previewButton.getAttribute("formaction"), form).then(function (data) {
        if (!data) { return; }
        var problem = field(back, "problem");
        problem.textContent = data.problem || "";
        problem.hidden = !data.problem;
        var translation = field(back, "translation");
        translation.textContent = data.translation || "";
        translation.setAttribute("lang", data.lang);
        translation.setAttribute("dir", data.dir);
        field(back, "back").textContent = data.back || "";
        back.hidden = false;
      }).catch(function () { /* the button without JavaScript still works */ });
    });
  }
})();
