// Counsellor console: live updates. The server says "something changed" over
// Server-Sent Events; the page fetches its fragment again (rendered and escaped
// by the server) and puts it in place only when it differs from what is shown,
// so that an unchanged conversation is not re-read by screen readers (the region
// is aria-live) and a counsellor's text selection survives other cases' events.
// No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource || !window.fetch) { return; }
  var url = live.getAttribute("data-live");
  var busy = false;
  var again = false;
  var title = document.title;

  function differs(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html;
    return parsed.innerHTML.trim() !== live.innerHTML.trim();
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || r.status === 401 || r.status === 403) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html !== null && differs(html)) { live.innerHTML = html; } })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function flash() {
    if (document.hidden) { document.title = "(!) " + title; }
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { document.title = title; }
  });

  var events = new EventSource("/console/events");
  events.addEventListener("changed", refresh);
  events.addEventListener("new_case", function () { flash(); refresh(); });
  events.addEventListener("open", refresh);
})();
