// The big-screen board reloads itself every minute, so that a visit recorded at a door shows on the
// screen in the office without anyone touching it.
(function () {
  'use strict';
  var board = document.querySelector('[data-refresh]');
  if (!board) { return; }
  setTimeout(function () { window.location.reload(); }, parseInt(board.getAttribute('data-refresh'), 10) * 1000);
})();
