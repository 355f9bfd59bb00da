// The charity supermarket's pages, enhanced. Every page works without this file: the cart is a
// form of quantities, the counter's forms post and come back, printing is the browser's menu.
(function () {
  'use strict';

  // hours shows integer minutes as hours with up to two decimals, as the server does: 90 → "1.5".
  function hours(minutes) {
    var sign = minutes < 0 ? '-' : '';
    var h = Math.floor((Math.abs(minutes) * 100 + 30) / 60);
    var whole = Math.floor(h / 100), frac = h % 100;
    if (frac === 0) { return sign + whole; }
    if (frac % 10 === 0) { return sign + whole + '.' + frac / 10; }
    return sign + whole + '.' + (frac < 10 ? '0' : '') + frac;
  }

  // newKey returns a fresh idempotency key: printable ASCII, as the server wants it.
  function newKey() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'cart-' + Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
  }

  function cartStorageKey(store) { return 'tb-cart-' + store; }

  // cart keeps the quantities of a store's catalogue in localStorage (so the cart survives a reload
  // or a look at another page), adds − and + buttons for thumbs, shows the count and total, and
  // sends the order once: the idempotency key is made once per submission of a cart, so a double
  // tap or a resent form is the same order; changing the cart makes it a new one.
  function cart(form) {
    var store = form.getAttribute('data-store');
    var keyInput = form.querySelector('input[name="key"]');
    var sum = document.getElementById('cart-sum');
    var avail = document.getElementById('catalog-available');
    var inputs = Array.prototype.slice.call(form.querySelectorAll('input[name^="qty-"]'));
    var saved = {};
    try { saved = JSON.parse(localStorage.getItem(cartStorageKey(store)) || '{}') || {}; } catch (e) { saved = {}; }
    // A cart the server sent back (with its messages) wins over the stored one.
    var fromServer = inputs.some(function (i) { return i.value !== ''; });
    inputs.forEach(function (input) {
      var id = input.name.slice(4);
      if (!fromServer && saved[id] && !input.disabled) {
        input.value = String(Math.min(Number(saved[id]), Number(input.max) || Number(saved[id])));
      }
      stepper(input);
    });

    function quantity(input) {
      var n = parseInt(input.value, 10);
      return isNaN(n) || n < 0 ? 0 : n;
    }
    function save() {
      var c = {};
      inputs.forEach(function (i) { var n = quantity(i); if (n > 0) { c[i.name.slice(4)] = n; } });
      try { localStorage.setItem(cartStorageKey(store), JSON.stringify(c)); } catch (e) { /* private mode */ }
    }
    function update() {
      var count = 0, total = 0;
      inputs.forEach(function (i) {
        var n = quantity(i), item = i.closest('[data-price]');
        count += n;
        total += n * Number(item ? item.getAttribute('data-price') : 0);
      });
      if (!sum) { return; }
      var text = sum.getAttribute('data-text').replace('{n}', String(count)).replace('{h}', hours(total));
      var short = avail && total > Number(avail.getAttribute('data-minutes'));
      if (short) { text += ' · ' + sum.getAttribute('data-short'); }
      sum.textContent = text;
      sum.classList.toggle('short', !!short);
    }
    function stepper(input) {
      var wrap = document.createElement('span');
      wrap.className = 'stepper';
      var minus = button('−', -1), plus = button('+', 1);
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(minus);
      wrap.appendChild(input);
      wrap.appendChild(plus);
      function button(text, delta) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = text;
        b.disabled = input.disabled;
        b.setAttribute('aria-label', (delta > 0 ? '+1 ' : '−1 ') + (input.labels && input.labels[0] ? input.labels[0].textContent : ''));
        b.setAttribute('aria-controls', input.id);
        b.addEventListener('click', function () {
          var max = input.max === '' ? Infinity : Number(input.max);
          input.value = String(Math.max(0, Math.min(max, quantity(input) + delta)));
          input.dispatchEvent(new Event('input', { bubbles: true }));
        });
        return b;
      }
    }
    form.addEventListener('input', function (e) {
      if (e.target.name && e.target.name.indexOf('qty-') === 0) {
        keyInput.value = ''; // another cart: another order
        save();
        update();
      }
    });
    form.addEventListener('submit', function (e) {
      if (form.getAttribute('data-sent')) { e.preventDefault(); return; } // a double tap
      if (!keyInput.value) { keyInput.value = newKey(); }
      form.setAttribute('data-sent', '1');
    });
    // Back from the order page (the page kept in the browser's cache): the form may be sent again,
    // with the same key while the cart is the same.
    window.addEventListener('pageshow', function () { form.removeAttribute('data-sent'); });
    save();
    update();
  }

  // pollOrder reloads an order page when the order changes (handed out at the counter, expired):
  // the volunteer sees it without touching the phone.
  function pollOrder(el) {
    var url = el.getAttribute('data-order-poll');
    var timer = setInterval(function () {
      fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) {
          if (r.status === 401) { clearInterval(timer); location.reload(); return null; }
          return r.ok ? r.json() : null;
        })
        .then(function (o) {
          if (o && o.status !== 'pending') { clearInterval(timer); location.replace(location.pathname); }
        })
        .catch(function () {});
    }, 4000);
  }

  // The counter. Its forms are sent in the background and the counter part of the page replaced
  // with the answer's, so the page (and its sound) stays, focus returns to the scan field, and a
  // scanner's keys always land in a field: typing while a button has focus moves to the field.
  var audio = null;
  function unlockAudio() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!audio && AC) { audio = new AC(); }
    if (audio && audio.state === 'suspended') { audio.resume(); }
  }
  function sound(outcome) {
    if (!audio || audio.state !== 'running' || !outcome) { return; }
    var notes = outcome === 'ok' ? [[880, 0, 0.12], [1320, 0.15, 0.18]] : [[196, 0, 0.5]];
    notes.forEach(function (n) {
      var o = audio.createOscillator(), g = audio.createGain();
      o.type = outcome === 'ok' ? 'sine' : 'square';
      o.frequency.value = n[0];
      g.gain.value = 0.12;
      o.connect(g);
      g.connect(audio.destination);
      o.start(audio.currentTime + n[1]);
      o.stop(audio.currentTime + n[1] + n[2]);
    });
  }
  function focusCounter(root) {
    var f = root.querySelector('[autofocus]') || root.querySelector('[data-scan]');
    if (f) { f.focus(); }
  }
  function counter(root) {
    document.addEventListener('keydown', function (e) {
      unlockAudio();
      var a = document.activeElement;
      var typing = a && (a.tagName === 'INPUT' || a.tagName === 'SELECT' || a.tagName === 'TEXTAREA');
      if (!typing && e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey && e.key !== ' ') {
        var field = document.querySelector('#counter-root [data-scan]');
        if (field) { field.focus(); }
      }
    }, true);
    document.addEventListener('pointerdown', unlockAudio);
    document.addEventListener('submit', function (e) {
      var f = e.target;
      if (!f.hasAttribute('data-swap') || !window.fetch || !window.DOMParser) { return; }
      e.preventDefault();
      if (f.getAttribute('data-busy')) { return; } // a double click waits for the first answer
      f.setAttribute('data-busy', '1');
      var body = new URLSearchParams(new FormData(f));
      if (e.submitter && e.submitter.name) { body.append(e.submitter.name, e.submitter.value); }
      fetch(f.action, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (r) { return r.text().then(function (html) { return { r: r, html: html }; }); })
        .then(function (res) {
          var doc = new DOMParser().parseFromString(res.html, 'text/html');
          var fresh = doc.getElementById('counter-root');
          var old = document.getElementById('counter-root');
          if (!fresh || !old) { sendForReal(f, e.submitter); return; }
          old.replaceWith(fresh);
          if (res.r.redirected) { history.replaceState(null, '', res.r.url); }
          focusCounter(fresh);
          sound(fresh.getAttribute('data-outcome'));
        })
        .catch(function () { sendForReal(f, e.submitter); });
    });
    // sendForReal posts the form the ordinary way (an answer that is not the counter: an error
    // page, the log-in page), with the value of the button that was pressed.
    function sendForReal(f, submitter) {
      if (submitter && submitter.name) {
        var h = document.createElement('input');
        h.type = 'hidden';
        h.name = submitter.name;
        h.value = submitter.value;
        f.appendChild(h);
      }
      HTMLFormElement.prototype.submit.call(f);
    }
    // A walk-in sale's quantities: each subtotal and the total on the confirm button follow what
    // is typed, and the form says which total the clerk saw (the server charges only that one).
    document.addEventListener('input', function (e) {
      var f = e.target.form;
      if (!f || f.id !== 'sale-form' || !e.target.name || e.target.name.indexOf('qty-') !== 0) { return; }
      var total = 0;
      f.querySelectorAll('tr[data-price]').forEach(function (row) {
        var q = row.querySelector('input[name^="qty-"]'), n = parseInt(q && q.value, 10);
        var sub = isNaN(n) || n < 0 ? 0 : n * Number(row.getAttribute('data-price'));
        total += sub;
        var cell = row.querySelector('[data-subtotal]');
        if (cell) { cell.textContent = hours(sub); }
      });
      var shown = document.getElementById('sale-total');
      if (shown) { shown.textContent = hours(total); shown.setAttribute('data-minutes', String(total)); }
      var field = document.getElementById('sale-shown');
      if (field) { field.value = String(total); }
    });
    focusCounter(root);
  }

  // donation adds rows to the intake form without a round trip, and keeps an anonymous donor's
  // name and number out of the form.
  function donation(form) {
    var more = document.getElementById('donation-more');
    var rows = document.getElementById('donation-rows');
    var list = document.getElementById('donation-lines');
    if (more && rows && list) {
      more.addEventListener('click', function (e) {
        var last = list.lastElementChild;
        if (!last) { return; }
        e.preventDefault();
        var n = Number(rows.value);
        var row = last.cloneNode(true);
        row.id = 'row-' + n;
        row.classList.remove('has-error');
        row.querySelectorAll('.field-error').forEach(function (p) { p.remove(); });
        row.querySelectorAll('.has-error').forEach(function (x) { x.classList.remove('has-error'); });
        row.querySelectorAll('[name]').forEach(function (x) {
          var field = x.getAttribute('data-field');
          x.name = field + '-' + n;
          x.id = 'f-' + field + '-' + n;
          x.value = '';
          x.removeAttribute('aria-invalid');
          x.removeAttribute('aria-describedby');
        });
        row.querySelectorAll('label[for]').forEach(function (l) {
          l.htmlFor = l.htmlFor.replace(/-\d+$/, '-' + n);
        });
        list.appendChild(row);
        rows.value = String(n + 1);
        var first = row.querySelector('select, input');
        if (first) { first.focus(); }
      });
    }
    var contact = document.getElementById('donor-contact');
    function anonymous() {
      var checked = form.querySelector('input[name="donor_kind"]:checked');
      var anon = checked && checked.value === 'anonymous';
      if (!contact) { return; }
      contact.hidden = anon;
      contact.querySelectorAll('input').forEach(function (i) { i.disabled = anon; });
    }
    form.addEventListener('change', function (e) { if (e.target.name === 'donor_kind') { anonymous(); } });
    anonymous();
  }

  // priceEcho shows a price typed in hours (or in minutes with the unit) as minutes beside the
  // field, as the server reads it: whole minutes, or nothing.
  function priceEcho(out) {
    var input = document.getElementById(out.getAttribute('data-hours-of'));
    if (!input) { return; }
    function minutesOf(v) {
      v = v.trim();
      var m = v.match(/^(\d+)\s*(分钟|分|minutes?|min)$/i);
      if (m) { return Number(m[1]); }
      var h = v.replace(/\s*(小时|hours|h)$/i, '');
      if (!/^\d*\.?\d+$/.test(h)) { return NaN; }
      var x = Number(h) * 60;
      return Math.abs(x - Math.round(x)) < 1e-9 ? Math.round(x) : NaN;
    }
    function show() {
      var n = minutesOf(input.value);
      out.textContent = isNaN(n) || n <= 0 ? '' : out.getAttribute('data-text').replace('{m}', String(n));
    }
    input.addEventListener('input', show);
    show();
  }

  var cartForm = document.querySelector('form[data-cart]');
  if (cartForm) { cart(cartForm); }
  var page = document.getElementById('order-page');
  if (page && page.hasAttribute('data-clear-cart')) {
    try { localStorage.removeItem(cartStorageKey(page.getAttribute('data-clear-cart'))); } catch (e) { /* private mode */ }
  }
  if (page && page.hasAttribute('data-order-poll')) { pollOrder(page); }
  var counterRoot = document.getElementById('counter-root');
  if (counterRoot) { counter(counterRoot); }
  var donationForm = document.querySelector('form[data-donation]');
  if (donationForm) { donation(donationForm); }
  document.querySelectorAll('[data-hours-of]').forEach(priceEcho);
  document.querySelectorAll('button[data-print]').forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
})();
