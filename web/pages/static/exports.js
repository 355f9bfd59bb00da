// The boxes of downloads (partials/exports.html): a button fetches its export for the period the
// box's dates give and saves the file when it is complete. While the server writes it, the box shows
// the rows written so far and about how many there will be (asked at /api/v1/exports/progress/{id}
// under a random id: an Excel workbook is sent only once complete), then the rows (CSV) or bytes
// received as they arrive. A refusal shows the problem's words instead.
(function () {
  'use strict';
  function size(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KB';
    return (n / 1048576).toFixed(1) + ' MB';
  }
  function say(box, status, key, rows, bytes, cls, total) {
    status.className = 'export-status' + (cls ? ' ' + cls : '');
    status.textContent = (box.dataset[key] || '').replace('{rows}', rows.toLocaleString())
      .replace('{total}', Math.max(total || 0, rows).toLocaleString()).replace('{size}', size(bytes));
  }
  function fileName(resp, url) {
    var m = /filename="([^"]+)"/.exec(resp.headers.get('Content-Disposition') || '');
    return m ? m[1] : url.pathname.split('/').pop();
  }
  function randomID() {
    var b = new Uint8Array(12), s = '';
    crypto.getRandomValues(b);
    for (var i = 0; i < b.length; i++) s += ('0' + b[i].toString(16)).slice(-2);
    return s;
  }
  async function progressOf(id) {
    var r = await fetch('/api/v1/exports/progress/' + id, { credentials: 'same-origin', cache: 'no-store' });
    return r.ok ? r.json() : null;
  }
  async function download(box, link) {
    var status = box.querySelector('.export-status');
    var url = new URL(link.href, location.href);
    var from = box.querySelector('[data-export-from]').value, to = box.querySelector('[data-export-to]').value;
    if (from) url.searchParams.set('from', from);
    if (to) url.searchParams.set('to', to);
    var id = randomID();
    url.searchParams.set('progress', id);
    var csv = url.pathname.endsWith('.csv'), receiving = false, written = null;
    box.setAttribute('aria-busy', 'true');
    say(box, status, 'textStart', 0, 0);
    // Until the file begins to arrive, the server's count of rows written is the only news.
    var poll = setInterval(async function () {
      var p = await progressOf(id).catch(function () { return null; });
      if (!p || receiving) return;
      written = p;
      if (p.rows > 0) say(box, status, p.total >= 0 ? 'textWritten' : 'textWrittenRows', p.rows, 0, '', p.total);
    }, 400);
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
        receiving = true;
        chunks.push(r.value);
        bytes += r.value.length;
        if (csv) for (var i = 0; i < r.value.length; i++) if (r.value[i] === 10) lines++;
        if (csv) say(box, status, written && written.total >= 0 ? 'textRowsOf' : 'textRows', Math.max(lines - 1, 0), bytes, '', written && written.total);
        else say(box, status, 'textBytes', 0, bytes);
      }
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob(chunks, { type: resp.headers.get('Content-Type') || '' }));
      a.download = fileName(resp, url);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
      var rows = Math.max(lines - 1, 0);
      if (!csv) {
        var done = await progressOf(id).catch(function () { return null; });
        rows = done ? done.rows : (written ? written.rows : 0);
      }
      say(box, status, 'textDone', rows, bytes, 'done');
      box.dataset.rows = String(rows);
    } catch (e) {
      status.className = 'export-status error';
      status.textContent = box.dataset.textFailed;
    } finally {
      clearInterval(poll);
      box.removeAttribute('aria-busy');
    }
  }
  document.addEventListener('click', function (ev) {
    var link = ev.target.closest && ev.target.closest('a[data-export]');
    if (!link || !window.fetch || !window.ReadableStream || !window.crypto) return;
    var box = link.closest('[data-exports]');
    if (!box) return;
    ev.preventDefault();
    download(box, link);
  });
})();
