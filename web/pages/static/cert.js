// The printable certificate: a button that opens the browser's print dialog (without this file,
// printing is the browser's menu).
(function () {
  'use strict';
  document.querySelectorAll('button[data-print]').forEach(function (b) {
    b.hidden = false;
    b.addEventListener('click', function () { window.print(); });
  });
})();
