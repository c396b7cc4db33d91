/**
 * Client helpers of the record pages (audit, decisions, outbox), pasted into each page's script
 * beside the shell's kit: the page state lives in the address (`?subject=...&a_at=...`), so a
 * filter, a page of results or an open trace is a link one can send, survives a reload, and needs
 * no button (a viewer's page has none). Plain ES2017; the DOM is built from text only (`kit.h`).
 *
 * `pagedLoad(prefix, paths, sortKey)` reads one page of the union of some list calls (each in the
 * platform paging shape) and gives the links to the older and newer pages. The page's cursors are
 * in `?<prefix>at=` (one per call, `~`-separated, `x` for a call with nothing older), the cursors
 * of the newer pages in `?<prefix>trail=` (`!`-separated, `-` for the newest page).
 */
export const RECORDS_KIT_JS = String.raw`
function recordsKit(kit) {
  var h = kit.h, api = kit.api;
  var params = new URLSearchParams(location.search);
  function get(name) { var v = params.get(name); return v === null ? '' : v.trim(); }
  /** The address of this page with some parameters changed ('' or null removes one). */
  function href(changes, hash) {
    var p = new URLSearchParams(location.search);
    Object.keys(changes).forEach(function (k) { var v = changes[k]; if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, String(v)); });
    var s = p.toString();
    return location.pathname + (s ? '?' + s : '') + (hash || '');
  }
  function query(o) {
    var p = new URLSearchParams();
    Object.keys(o).forEach(function (k) { if (o[k] !== undefined && o[k] !== null && o[k] !== '') p.set(k, String(o[k])); });
    var s = p.toString();
    return s ? '?' + s : '';
  }
  function link(text, to, label) { return h('a', { href: to, 'aria-label': label || null, text: text }); }

  /**
   * Text inputs that act as one search: Enter in any of them, or the link beside them, goes to the
   * address with their values (no form, no button). fields: [{name, label, placeholder, width}].
   */
  function filterBar(label, fields, reset) {
    var inputs = fields.map(function (f) {
      return h('input', { type: 'text', name: f.name, id: 'filter-' + f.name, value: get(f.name), placeholder: f.placeholder || '', maxlength: 200, autocomplete: 'off', spellcheck: 'false' });
    });
    function target() {
      var changes = {};
      inputs.forEach(function (i) { changes[i.name] = i.value.trim(); });
      reset.forEach(function (k) { changes[k] = ''; });
      return href(changes);
    }
    var go = h('a', { href: target(), class: 'go', text: 'Search' });
    inputs.forEach(function (i) {
      i.addEventListener('input', function () { go.setAttribute('href', target()); });
      i.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); location.assign(target()); } });
    });
    var clear = {};
    fields.forEach(function (f) { clear[f.name] = ''; });
    reset.forEach(function (k) { clear[k] = ''; });
    // Layout through the CSSOM: the console's CSP (style-src 'self') refuses style attributes, not this.
    var bar = h('div', { role: 'search', 'aria-label': label }, fields.map(function (f, n) {
      // The label beside its input, not around it: the field's name stays the label alone.
      var l = h('div', {}, [h('label', { for: 'filter-' + f.name, text: f.label }), inputs[n]]);
      l.style.display = 'flex'; l.style.flexDirection = 'column'; l.style.gap = '.2rem'; l.style.fontSize = '.85rem'; l.style.flex = '1 1 ' + (f.width || '10rem');
      return l;
    }).concat([h('p', { class: 'foot' }, [go, ' · ', link('Clear', href(clear)), h('span', { class: 'muted', text: ' (Enter searches)' })])]));
    bar.style.display = 'flex'; bar.style.flexWrap = 'wrap'; bar.style.gap = '.5rem'; bar.style.alignItems = 'flex-end';
    return bar;
  }

  /** One page of the union of paths (deduplicated by id, sorted by sortKey, newest first) and its page links. */
  function pagedLoad(prefix, paths, sortKey, label) {
    var state = get(prefix + 'at');
    var cursors = state ? state.split('~') : paths.map(function () { return ''; });
    if (cursors.length !== paths.length) cursors = paths.map(function () { return ''; });
    var trail = get(prefix + 'trail');
    var stack = trail ? trail.split('!') : [];
    return Promise.all(paths.map(function (path, i) {
      if (cursors[i] === 'x') return { ok: true, status: 200, body: { items: [], next_cursor: null } };
      return api('GET', path + (cursors[i] ? (path.indexOf('?') < 0 ? '?' : '&') + 'before=' + encodeURIComponent(cursors[i]) : ''));
    })).then(function (rs) {
      var refused = rs.filter(function (r) { return !r.ok; })[0];
      var seen = {};
      var items = [];
      rs.forEach(function (r) {
        kit.items(r.body).forEach(function (it) { var key = String(it.id); if (!seen[key]) { seen[key] = true; items.push(it); } });
      });
      items.sort(function (a, b) { var x = sortKey(a), y = sortKey(b); return x < y ? 1 : x > y ? -1 : 0; });
      var next = rs.map(function (r, i) { return cursors[i] === 'x' || !r.ok ? 'x' : (r.body && r.body.next_cursor) || 'x'; });
      var older = next.some(function (c) { return c !== 'x'; });
      var nav = h('p', { class: 'foot', role: 'navigation', 'aria-label': 'Pages of ' + label }, [
        state ? link('← Newer', href(pageChange(prefix, stack.length ? stack[stack.length - 1] : '-', stack.slice(0, -1))), 'Newer ' + label) : h('span', { class: 'muted', text: '← Newer' }),
        ' · ',
        state ? link('Newest', href(pageChange(prefix, '-', [])), 'Newest ' + label) : h('span', { class: 'muted', text: 'Newest' }),
        ' · ',
        older ? link('Older →', href(pageChange(prefix, next.join('~'), stack.concat([state || '-']))), 'Older ' + label) : h('span', { class: 'muted', text: 'Older →' }),
      ]);
      return { items: items, nav: nav, refused: refused || null };
    });
  }
  function pageChange(prefix, at, stack) {
    var o = {};
    o[prefix + 'at'] = at === '-' ? '' : at;
    o[prefix + 'trail'] = stack.join('!');
    return o;
  }

  /** Any recorded value as text-only DOM: objects as a definition list, lists of objects as a table. */
  function dataView(v, depth) {
    depth = depth || 0;
    if (v === null || v === undefined) return h('span', { class: 'muted', text: '—' });
    if (typeof v !== 'object') return typeof v === 'string' ? h('span', { text: v }) : h('code', { text: String(v) });
    if (depth > 3) return h('code', { text: JSON.stringify(v) });
    if (Array.isArray(v)) {
      if (!v.length) return h('span', { class: 'muted', text: 'none' });
      if (v.every(function (x) { return x === null || typeof x !== 'object'; })) return h('span', { text: v.map(String).join(', ') });
      if (depth > 0) {
        // Nested lists of records: one line each, empty fields left out, so a cell never outgrows the page.
        return h('ol', {}, v.map(function (row) {
          if (row === null || typeof row !== 'object') return h('li', { text: String(row) });
          return h('li', {}, Object.keys(row).filter(function (k) { return row[k] !== null && row[k] !== undefined; }).map(function (k, i) {
            return [i ? h('span', { class: 'muted', text: ' · ' }) : null, h('span', { class: 'muted', text: k + ' ' }), dataView(row[k], depth + 2)];
          }).reduce(function (a, b) { return a.concat(b); }, []));
        }));
      }
      var cols = [];
      v.forEach(function (row) { if (row && typeof row === 'object') Object.keys(row).forEach(function (k) { if (cols.indexOf(k) < 0) cols.push(k); }); });
      var wrap = h('div', {}, kit.table('Recorded list', cols.map(function (k) { return { label: k, cell: function (row) { return dataView(row ? row[k] : null, depth + 1); } }; }), v));
      wrap.style.overflowX = 'auto'; wrap.style.maxWidth = '100%';
      return wrap;
    }
    var keys = Object.keys(v);
    if (!keys.length) return h('span', { class: 'muted', text: 'none' });
    var dl = h('dl', { class: 'kv' }, [].concat.apply([], keys.map(function (k) { return [h('dt', { text: k }), h('dd', {}, dataView(v[k], depth + 1))]; })));
    dl.style.overflowWrap = 'anywhere';
    return dl;
  }

  /** Reason codes as code chips. */
  function reasons(list) {
    if (!list || !list.length) return h('span', { class: 'muted', text: '—' });
    return h('span', {}, list.map(function (c, i) { return [i ? ' ' : '', h('code', { text: c })]; }).reduce(function (a, b) { return a.concat(b); }, []));
  }

  return { get: get, href: href, query: query, link: link, filterBar: filterBar, pagedLoad: pagedLoad, dataView: dataView, reasons: reasons };
}
`;
