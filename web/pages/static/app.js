// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // Move focus to the error summary, so a screen reader reads what is wrong first.
  var summary = document.getElementById('error-summary');
  if (summary) { summary.focus(); }

  // "Show password" buttons, hidden until this script can make them work.
  document.querySelectorAll('button[data-reveal]').forEach(function (btn) {
    var input = document.getElementById(btn.getAttribute('data-reveal'));
    if (!input) { return; }
    btn.hidden = false;
    btn.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      btn.setAttribute('aria-pressed', show ? 'true' : 'false');
    });
  });

  // The header's menu on a phone: the button opens and closes the language, the person and the
  // navigation; the style sheet shows it on narrow screens only.
  var menuButton = document.getElementById('menu-button');
  if (menuButton) {
    var header = menuButton.closest('header');
    header.classList.add('js-menu');
    menuButton.hidden = false;
    menuButton.addEventListener('click', function () {
      var open = header.classList.toggle('open');
      menuButton.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }

  var box = document.getElementById('balance');
  if (box) { liveBalance(box); }
  var bell = document.getElementById('header-notices');
  if (bell) { liveBell(bell); }

  // hours shows integer minutes as hours with up to two decimals, as the server does: 90 → "1.5".
  function hours(minutes) {
    var sign = minutes < 0 ? '-' : '';
    var h = Math.floor((Math.abs(minutes) * 100 + 30) / 60);
    var whole = Math.floor(h / 100), frac = h % 100;
    if (frac === 0) { return sign + whole; }
    if (frac % 10 === 0) { return sign + whole + '.' + frac / 10; }
    return sign + whole + '.' + (frac < 10 ? '0' : '') + frac;
  }

  // liveBalance keeps the balance current: Server-Sent Events, or polling every 15 s when the
  // stream cannot be opened or keeps failing.
  function liveBalance(box) {
    var version = Number(box.getAttribute('data-version'));
    var status = document.getElementById('balance-live');
    var pollTimer = null, failures = 0;

    function show(b) {
      // Only a newer version than the page (or the last event) shows: the first event of a stream
      // is usually what the page already says.
      if (typeof b.version !== 'number' || b.version <= version) { return; }
      version = b.version;
      box.setAttribute('data-version', String(version));
      set('balance-available', b.available);
      set('balance-posted', b.posted);
      set('balance-pending', b.pending);
      reloadStatement();
    }
    function set(id, minutes) {
      var el = document.getElementById(id);
      if (el) { el.textContent = hours(minutes); el.setAttribute('data-minutes', String(minutes)); }
    }
    function say(which) {
      if (status) { status.textContent = status.getAttribute(which) || ''; }
    }
    function poll() {
      if (pollTimer) { return; }
      say('data-text-poll');
      var tick = function () {
        fetch(box.getAttribute('data-poll'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
          .then(function (r) {
            // Signed out meanwhile: reloading the page leads to the log-in page.
            if (r.status === 401) { clearInterval(pollTimer); location.reload(); return null; }
            return r.ok ? r.json() : null;
          })
          .then(function (b) { if (b) { show(b); } })
          .catch(function () {});
      };
      tick();
      pollTimer = setInterval(tick, 15000);
    }
    if (!window.EventSource) { poll(); return; }
    var es = new EventSource(box.getAttribute('data-events'));
    es.addEventListener('balance', function (e) {
      failures = 0;
      say('data-text-live');
      try { show(JSON.parse(e.data)); } catch (err) { /* a malformed event changes nothing */ }
    });
    es.onerror = function () {
      failures++;
      // The browser retries a dropped stream by itself; a refused one (CLOSED) or one that keeps
      // failing is given up for polling.
      if (es.readyState === EventSource.CLOSED || failures >= 3) { es.close(); poll(); }
    };
  }

  // liveBell keeps the header's unread count current from the notices stream (or a poll every 60 s
  // when the stream cannot be kept open), and tells the page of each new notice with the DOM event
  // "timebank:notice" (the inbox page brings it in).
  function liveBell(bell) {
    var count = document.getElementById('header-unread');
    var failures = 0, pollTimer = null;
    var last = Number(count && !count.hidden ? count.textContent : 0) || 0;
    // show sets the count, and reports whether it went up: a notice came that the page may not
    // have heard of (a stream that opened late hears of it by the recount only).
    function show(n) {
      if (typeof n !== 'number' || !count) { return false; }
      var up = n > last;
      last = n;
      count.textContent = n > 99 ? '99+' : String(n);
      count.hidden = n === 0;
      bell.setAttribute('aria-label', n === 0 ? bell.getAttribute('data-label')
        : bell.getAttribute('data-label-unread').replace('%d', String(n)));
      return up;
    }
    function tell(detail) { document.dispatchEvent(new CustomEvent('timebank:notice', { detail: detail })); }
    window.timebankUnread = show; // the inbox page sets the count when it marks notices read
    function poll() {
      if (pollTimer) { return; }
      var tick = function () {
        fetch(bell.getAttribute('data-poll'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) { if (p && show(p.unread)) { tell({}); } })
          .catch(function () {});
      };
      pollTimer = setInterval(tick, 60000);
    }
    if (!window.EventSource) { poll(); return; }
    var es = new EventSource(bell.getAttribute('data-events'));
    es.addEventListener('notices', function (e) {
      failures = 0;
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      if (show(ev.unread) || ev.id) { tell(ev); }
    });
    es.onerror = function () {
      failures++;
      if (es.readyState === EventSource.CLOSED || failures >= 3) { es.close(); poll(); }
    };
  }

  // reloadStatement fetches this page again and swaps in the new statement.
  function reloadStatement() {
    fetch(location.pathname, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('statement');
        var old = document.getElementById('statement');
        if (fresh && old) { old.replaceWith(fresh); }
      })
      .catch(function () {});
  }
})();
