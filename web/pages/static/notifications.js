// The inbox page: a notice opened is marked read (the page works without this file: "mark all
// read" is a form), and new notices come in as the header's badge hears of them.
(function () {
  'use strict';

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';

  // Opening a notice marks it read; keepalive lets the request finish as the browser leaves.
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-notice]') : null;
    if (!a || !a.closest('.unread')) { return; }
    fetch('/api/v1/me/notifications/read', {
      method: 'POST', credentials: 'same-origin', keepalive: true,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ ids: [Number(a.getAttribute('data-notice'))] })
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) { if (res && window.timebankUnread) { window.timebankUnread(res.unread); } })
      .catch(function () {});
  });

  // A new notice: the newest page fetches itself again and swaps in the fresh inbox.
  document.addEventListener('timebank:notice', function () {
    var inbox = document.getElementById('inbox');
    if (!inbox || inbox.getAttribute('data-live') !== 'true') { return; }
    fetch(location.pathname, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('inbox');
        var old = document.getElementById('inbox');
        if (fresh && old) { old.replaceWith(fresh); }
      })
      .catch(function () {});
  });
})();
