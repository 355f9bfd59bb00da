// The pages of earning hours (the kiosk has activity-kiosk.js). Progressive enhancement: each page
// works without this file.
(function () {
  'use strict';

  function byId(id) { return document.getElementById(id); }

  var el;
  if ((el = byId('scan-form'))) { scanStep(el); }
  if ((el = byId('member-code'))) { memberCode(el); }
  if ((el = byId('near-locate'))) { nearMe(el); }
  if ((el = byId('place-here'))) { placeHere(el); }
  if ((el = byId('pick-all'))) { pickAll(el); }
  if ((el = byId('transfer-form'))) { transferForm(el); }

  // scanStep sends the scan as soon as the page has opened: with the phone's position when the
  // activity asks for it (used once, on the server, to say inside or outside; never kept), else at
  // once. A browser that never answers about the position is not waited for.
  function scanStep(form) {
    var step = byId('scan-step'), button = byId('scan-submit'), wait = byId('scan-wait');
    var sent = false;
    function send() {
      if (sent) { return; }
      sent = true;
      button.disabled = true;
      form.submit();
    }
    form.addEventListener('submit', function (e) {
      if (sent) { e.preventDefault(); return; }
      sent = true;
    });
    wait.hidden = false;
    if (step.hasAttribute('data-ask-position') && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (p) {
        byId('scan-lat').value = p.coords.latitude.toFixed(6);
        byId('scan-lng').value = p.coords.longitude.toFixed(6);
        send();
      }, send, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      setTimeout(send, 15000);
    } else {
      send();
    }
  }

  // memberCode draws a fresh code halfway through each one's life, and at once when the page comes
  // back into view; a hidden page draws none.
  function memberCode(box) {
    var img = byId('member-code-img'), every = Number(box.getAttribute('data-refresh-ms')) || 30000, n = 0;
    function redraw() {
      if (document.hidden) { return; }
      n++;
      img.src = box.getAttribute('data-image') + '?v=' + n + '-' + Date.now();
    }
    setInterval(redraw, every);
    document.addEventListener('visibilitychange', redraw);
  }

  // nearMe asks the browser where it is and lists activities near there, the position rounded to
  // two decimals (about a kilometre): enough for a list, and not an address.
  function nearMe(button) {
    var status = byId('near-status');
    if (!navigator.geolocation) { status.textContent = status.getAttribute('data-text-failed'); return; }
    button.hidden = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (p) {
        location.href = '/activities?show=near&near=' + p.coords.latitude.toFixed(2) + ',' + p.coords.longitude.toFixed(2);
      }, function () {
        button.disabled = false;
        status.textContent = status.getAttribute('data-text-failed');
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // placeHere fills the new activity's coordinates with where the coordinator stands.
  function placeHere(button) {
    if (!navigator.geolocation) { return; }
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        byId('f-latitude').value = p.coords.latitude.toFixed(6);
        byId('f-longitude').value = p.coords.longitude.toFixed(6);
        if (!byId('f-radius_m').value) { byId('f-radius_m').value = '300'; }
      }, function () { button.textContent = button.getAttribute('data-text-failed'); }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  // pickAll checks or clears every attendance of the queue at once.
  function pickAll(box) {
    box.hidden = false;
    box.addEventListener('change', function () {
      document.querySelectorAll('input.pick').forEach(function (c) { c.checked = box.checked; });
    });
  }

  // transferForm hides the recipient's fields while the pool is chosen.
  function transferForm(form) {
    var fields = byId('family-fields');
    function sync() { fields.hidden = byId('f-to-pool').checked; }
    form.querySelectorAll('input[name="to"]').forEach(function (r) { r.addEventListener('change', sync); });
    sync();
  }
})();
