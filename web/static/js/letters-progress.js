// Refreshes the letters' progress on the incident page while letters are open (the page works
// without this: the server renders the same counts). No inline script: the CSP forbids it.
(function () {
  "use strict";
  var panel = document.querySelector(".letters-progress[data-progress-url]");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-progress-url");
  var every = 4000;

  function setText(selector, value) {
    var cell = panel.querySelector(selector);
    if (cell && cell.textContent !== String(value)) { cell.textContent = String(value); }
  }

  function update(data) {
    var bar = panel.querySelector("progress");
    if (!bar || String(data.total) !== bar.getAttribute("max")) {
      window.location.reload();  // a new campaign or a first letter: the table's rows change
      return;
    }
    bar.value = data.done;
    bar.textContent = data.done + " / " + data.total;
    setText("[data-field=text]", data.text);  // a polite status region: read out only when it changes
    data.statuses.forEach(function (s) { setText("tr[data-channel=all] td[data-status=" + s.key + "]", s.count); });
    setText("tr[data-channel=all] td[data-status=total]", data.total);
    data.channels.forEach(function (c) {
      data.statuses.forEach(function (s, i) {
        setText("tr[data-channel=" + c.key + "] td[data-status=" + s.key + "]", c.counts[i]);
      });
      setText("tr[data-channel=" + c.key + "] td[data-status=total]", c.total);
    });
    panel.setAttribute("data-open", String(data.open));
    var hint = panel.querySelector("[data-field=open-hint]");
    if (hint && data.open === 0) { hint.hidden = true; }  // nothing left to wait for
  }

  function poll() {
    if (panel.getAttribute("data-open") === "0" || document.hidden) {
      if (panel.getAttribute("data-open") !== "0") { window.setTimeout(poll, every); }
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* a missed refresh is retried on the next tick */ })
      .then(function () { window.setTimeout(poll, every); });
  }

  if (panel.getAttribute("data-open") !== "0") { window.setTimeout(poll, every); }
})();
