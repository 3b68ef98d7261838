/**
 * The live page's only script, served at /assets/live.js (same origin, so the page's
 * Content-Security-Policy can forbid every other script). It listens to /events/<run> with
 * EventSource (server-sent events; WHATWG HTML, "Server-sent events") and writes what arrives as
 * text: the server formats every value (events.ts), the script only places it, with textContent,
 * so nothing a model wrote can become markup.
 */
export const LIVE_JS = `'use strict';
(function () {
  var live = document.getElementById('live');
  if (!live || !window.EventSource) return;
  var body = document.querySelector('#rounds tbody');
  var last = 0;
  body.querySelectorAll('tr').forEach(function (tr) { last = Math.max(last, Number(tr.firstChild.textContent) || 0); });
  var connection = document.getElementById('connection');
  var es = new EventSource(live.getAttribute('data-events'));
  es.addEventListener('open', function () { connection.textContent = 'connected: the page updates as rounds land'; });
  es.addEventListener('error', function () { connection.textContent = 'disconnected: retrying'; });
  es.addEventListener('summary', function (e) {
    var s = JSON.parse(e.data);
    Object.keys(s.text).forEach(function (id) { var el = document.getElementById(id); if (el) el.textContent = s.text[id]; });
    document.getElementById('status').className = 'status-' + s.status;
    var bar = document.getElementById('progress');
    bar.max = s.roundsPlanned; bar.value = s.roundsDone;
  });
  es.addEventListener('reset', function () { body.textContent = ''; last = 0; });
  es.addEventListener('round', function (e) {
    var r = JSON.parse(e.data);
    if (r.round <= last) return;
    last = r.round;
    var tr = document.createElement('tr');
    r.cells.forEach(function (c) { var td = document.createElement('td'); td.className = 'num'; td.textContent = c; tr.appendChild(td); });
    body.appendChild(tr);
  });
})();
`;
