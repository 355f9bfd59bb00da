// Organization and import pages. Progressive enhancement only: every form works without it.
(function () {
  'use strict';

  // A device token just created: move focus to it, so that a screen reader reads it first.
  var box = document.getElementById('new-device');
  if (box) { box.focus(); }

  // Copy buttons, hidden until this script can make them work. The clipboard API needs a secure
  // context (HTTPS or localhost); on an intranet over plain HTTP the text is selected and copied
  // the old way.
  document.querySelectorAll('button[data-copy]').forEach(function (btn) {
    var src = document.getElementById(btn.getAttribute('data-copy'));
    var status = btn.parentNode.querySelector('.copy-status');
    if (!src) { return; }
    btn.hidden = false;
    btn.addEventListener('click', function () {
      var text = src.textContent.trim();
      var done = function () { if (status) { status.textContent = btn.getAttribute('data-copied'); } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { oldCopy(src) && done(); });
      } else if (oldCopy(src)) {
        done();
      }
    });
  });
  function oldCopy(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { return document.execCommand('copy'); } catch (e) { return false; }
  }

  // Forms that cannot be undone ask first.
  document.querySelectorAll('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.getAttribute('data-confirm'))) { e.preventDefault(); }
    });
  });

  // The volunteer list: the check (a dry run) is sent in the background and its result shown in
  // place, so that the chosen file stays chosen for the import that follows.
  var roster = document.getElementById('roster-form');
  if (roster && window.fetch && window.FormData && window.DOMParser) {
    roster.addEventListener('submit', function (e) {
      var mode = e.submitter ? e.submitter.value : 'import';
      if (mode !== 'check') { return; }
      e.preventDefault();
      var body = new FormData(roster);
      body.set('mode', 'check');
      var busy = document.getElementById('roster-check');
      busy.disabled = true;
      fetch(roster.action, { method: 'POST', body: body, headers: { Accept: 'text/html' }, credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var fresh = doc.getElementById('roster-result'), old = document.getElementById('roster-result');
          if (!fresh || !old) { roster.submit(); return; } // signed out meanwhile, say: the plain way
          swapFileField(doc);
          old.replaceWith(fresh);
          fresh.focus();
        })
        .catch(function () { roster.submit(); })
        .then(function () { busy.disabled = false; });
    });
  }

  // swapFileField shows the file field's error (or its absence) from the fresh page while keeping
  // the input element, and with it the chosen file.
  function swapFileField(doc) {
    var fresh = doc.getElementById('roster-file-field'), cur = document.getElementById('roster-file-field');
    var input = document.getElementById('f-file'), freshInput = fresh && fresh.querySelector('#f-file');
    if (!fresh || !cur || !input || !freshInput) { return; }
    ['aria-invalid', 'aria-describedby'].forEach(function (a) {
      var v = freshInput.getAttribute(a);
      if (v === null) { input.removeAttribute(a); } else { input.setAttribute(a, v); }
    });
    freshInput.replaceWith(input);
    cur.replaceWith(fresh);
  }
})();
