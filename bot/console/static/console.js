// Counsellor console: live updates. The server says "something changed" over
// Server-Sent Events; the page fetches its fragment again (rendered and escaped
// by the server) and puts it in place. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource || !window.fetch) { return; }
  var url = live.getAttribute("data-live");
  var busy = false;
  var again = false;
  var title = document.title;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || r.status === 401 || r.status === 403) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html !== null) { live.innerHTML = html; } })
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
