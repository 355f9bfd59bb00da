// The kiosk screen: the activity's code kept current, the count of who is in, and the box that
// reads volunteers' member codes. The code and the count show without this file; the member-code
// box needs it (the page says so).
(function () {
  'use strict';

  function byId(id) { return document.getElementById(id); }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  }

  var box = byId('kiosk');
  if (box) { kiosk(box); }

  // kiosk keeps the code on the screen current, counts who is in, and reads member codes typed by
  // a USB scanner (it types the code's URL and Enter) or seen by the camera.
  function kiosk(box) {
    var fig = byId('kiosk-code'), img = byId('kiosk-code-img'), label = byId('kiosk-code-label');
    var state = byId('kiosk-state'), toggle = byId('kiosk-toggle');
    var kind = 'check_in', timer = null, seq = 0;

    function say(which, bad) {
      if (!state) { return; }
      state.textContent = state.getAttribute(which) || '';
      state.classList.toggle('stale', !!bad);
    }
    // The screen's clock may be wrong; the server's Date header says how wrong.
    function skewOf(r) {
      var d = Date.parse(r.headers.get('Date') || '');
      return isNaN(d) ? 0 : d - Date.now();
    }
    function load() {
      clearTimeout(timer);
      var mine = ++seq;
      fetch(box.getAttribute('data-code-api') + '?kind=' + kind,
        { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) {
          if (mine !== seq) { return; }
          if (r.status === 401 || r.status === 403) { say('data-text-auth', true); return; }
          if (r.status === 409) { say('data-text-over', true); fig.hidden = true; return; }
          if (!r.ok) { throw new Error('code ' + r.status); }
          var skew = skewOf(r);
          return r.json().then(function (code) { if (mine === seq) { show(code, skew); } });
        })
        .catch(function () {
          say('data-text-offline', true);
          timer = setTimeout(load, 5000);
        });
    }
    function show(code, skew) {
      img.src = box.getAttribute('data-image') + '?kind=' + kind + '&v=' + encodeURIComponent(code.token);
      fig.setAttribute('data-url', code.url);
      fig.setAttribute('data-token', code.token);
      fig.setAttribute('data-kind', kind);
      label.textContent = label.getAttribute(kind === 'check_in' ? 'data-text-in' : 'data-text-out');
      say('data-text-ok', false);
      var wait = Date.parse(code.refresh_at) - (Date.now() + skew) + 500;
      timer = setTimeout(load, Math.min(Math.max(wait, 2000), 30000));
    }
    if (fig) {
      if (toggle) {
        toggle.hidden = false;
        toggle.addEventListener('click', function () {
          kind = kind === 'check_in' ? 'check_out' : 'check_in';
          toggle.setAttribute('aria-pressed', kind === 'check_out' ? 'true' : 'false');
          toggle.textContent = toggle.getAttribute(kind === 'check_in' ? 'data-text-out' : 'data-text-in');
          load();
        });
      }
      load();
      document.addEventListener('visibilitychange', function () { if (!document.hidden) { load(); } });
    }
    var full = byId('kiosk-fullscreen');
    if (full && box.requestFullscreen) {
      full.hidden = false;
      full.addEventListener('click', function () { box.requestFullscreen().catch(function () {}); });
    }

    function counts() {
      fetch(box.getAttribute('data-status'), { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (n) {
          if (!n) { return; }
          byId('kiosk-present').textContent = String(n.present);
          byId('kiosk-left').textContent = String(n.left);
        })
        .catch(function () {});
    }
    setInterval(counts, 5000);

    var form = byId('kiosk-scan');
    if (form) { memberScanner(box, form, counts); }
  }

  // memberScanner posts each member code read to the activity's scan API and shows, in colour and
  // with a sound, whether the volunteer is now in or out, or why not.
  function memberScanner(box, form, counts) {
    var input = byId('kiosk-scan-input'), out = byId('kiosk-scan-result');
    var cam = byId('kiosk-camera'), video = byId('kiosk-video');
    var audio = null, stream = null, lastCode = '', lastAt = 0;
    form.hidden = false;
    input.focus();

    function beep(ok) {
      try {
        audio = audio || new (window.AudioContext || window.webkitAudioContext)();
        var o = audio.createOscillator(), g = audio.createGain();
        o.type = ok ? 'sine' : 'square';
        o.frequency.value = ok ? 880 : 220;
        g.gain.value = 0.15;
        o.connect(g);
        g.connect(audio.destination);
        o.start();
        o.stop(audio.currentTime + (ok ? 0.15 : 0.5));
      } catch (e) { /* no sound on this device: the colour still shows */ }
    }
    function result(ok, text) {
      out.textContent = text;
      out.classList.toggle('ok', ok);
      out.classList.toggle('fail', !ok);
      beep(ok);
    }
    function scan(token) {
      fetch(box.getAttribute('data-scan'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf() },
        body: JSON.stringify({ token: token })
      })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (res.ok) {
            var name = res.body.attendance && res.body.attendance.volunteer_name || '';
            var text = out.getAttribute('data-text-' + res.body.action) || '%s';
            result(true, text.replace('%s', name));
            counts();
          } else {
            result(false, res.body && res.body.title || out.getAttribute('data-text-failed'));
          }
        })
        .catch(function () { result(false, out.getAttribute('data-text-failed')); });
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var v = input.value.trim();
      input.value = '';
      if (v) { scan(v); }
      input.focus();
    });

    if (!cam || !('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
    cam.hidden = false;
    function stop() {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
      video.hidden = true;
      cam.textContent = cam.getAttribute('data-text-start');
    }
    cam.addEventListener('click', function () {
      if (stream) { stop(); return; }
      var detector;
      try { detector = new window.BarcodeDetector({ formats: ['qr_code'] }); } catch (e) { cam.hidden = true; return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          cam.textContent = cam.getAttribute('data-text-stop');
          return video.play().then(function () { look(detector); });
        })
        .catch(function () { stop(); result(false, out.getAttribute('data-text-failed')); });
    });
    // look reads the camera a few times a second; the same code seen again within three seconds is
    // the same card still held up, not a second scan.
    function look(detector) {
      if (!stream) { return; }
      detector.detect(video).then(function (codes) {
        var v = codes.length ? codes[0].rawValue : '';
        if (v && (v !== lastCode || Date.now() - lastAt > 3000)) {
          lastCode = v;
          lastAt = Date.now();
          scan(v);
        }
      }).catch(function () {}).then(function () { setTimeout(function () { look(detector); }, 300); });
    }
  }
})();
