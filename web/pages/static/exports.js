// The boxes of downloads (partials/exports.html): a button fetches its export for the period the
// box's dates give, shows the rows (CSV) or bytes (Excel) received as they arrive, and saves the
// file when it is complete. A refusal shows the problem's words instead.
(function () {
  'use strict';
  function size(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KB';
    return (n / 1048576).toFixed(1) + ' MB';
  }
  function say(box, status, key, rows, bytes, cls) {
    status.className = 'export-status' + (cls ? ' ' + cls : '');
    status.textContent = (box.dataset[key] || '').replace('{rows}', rows.toLocaleString()).replace('{size}', size(bytes));
  }
  function fileName(resp, url) {
    var m = /filename="([^"]+)"/.exec(resp.headers.get('Content-Disposition') || '');
    return m ? m[1] : url.pathname.split('/').pop();
  }
  async function download(box, link) {
    var status = box.querySelector('.export-status');
    var url = new URL(link.href, location.href);
    var from = box.querySelector('[data-export-from]').value, to = box.querySelector('[data-export-to]').value;
    if (from) url.searchParams.set('from', from);
    if (to) url.searchParams.set('to', to);
    var csv = url.pathname.endsWith('.csv');
    box.setAttribute('aria-busy', 'true');
    say(box, status, 'textStart', 0, 0);
    try {
      var resp = await fetch(url, { credentials: 'same-origin' });
      if (!resp.ok) {
        var p = await resp.json().catch(function () { return {}; });
        var words = [p.title || box.dataset.textFailed];
        (p.errors || p.fields || []).forEach(function (f) { if (f.message) words.push(f.message); });
        status.className = 'export-status error';
        status.textContent = words.join(' · ');
        return;
      }
      var reader = resp.body.getReader(), chunks = [], bytes = 0, lines = 0;
      for (;;) {
        var r = await reader.read();
        if (r.done) break;
        chunks.push(r.value);
        bytes += r.value.length;
        if (csv) for (var i = 0; i < r.value.length; i++) if (r.value[i] === 10) lines++;
        say(box, status, csv ? 'textRows' : 'textBytes', Math.max(lines - 1, 0), bytes);
      }
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob(chunks, { type: resp.headers.get('Content-Type') || '' }));
      a.download = fileName(resp, url);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
      say(box, status, csv ? 'textDone' : 'textDoneBytes', Math.max(lines - 1, 0), bytes, 'done');
      box.dataset.rows = String(Math.max(lines - 1, 0));
    } catch (e) {
      status.className = 'export-status error';
      status.textContent = box.dataset.textFailed;
    } finally {
      box.removeAttribute('aria-busy');
    }
  }
  document.addEventListener('click', function (ev) {
    var link = ev.target.closest && ev.target.closest('a[data-export]');
    if (!link || !window.fetch || !window.ReadableStream) return;
    var box = link.closest('[data-exports]');
    if (!box) return;
    ev.preventDefault();
    download(box, link);
  });
})();
