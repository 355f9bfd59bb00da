// The device sign-in form: a link /device#<token>, opened once on the device, fills the token in
// and drops it from the address bar and the history, so it is never sent in a URL nor kept.
(function () {
  'use strict';
  var hash = window.location.hash.slice(1);
  var field = document.getElementById('f-token');
  if (!field || hash.indexOf('tbd_') !== 0) { return; }
  field.value = hash;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  var submit = document.getElementById('device-submit');
  if (submit) { submit.focus(); }
})();
