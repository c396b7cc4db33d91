/**
 * The console's live updates (part of /console/assets/console.js, inside its closure): one
 * EventSource on the control-state stream (docs/stream.md) per page. The page is first read after
 * the stream's snapshot (so no change falls between the read and the subscription) and read again
 * on every event of a type it follows (all of them unless it called `kit.live(types)`). A render
 * keeps what the operator is typing and where the focus is, and marks the values that changed.
 * A connection lost for more than 2 s shows a banner until the stream is back.
 */
export const CONSOLE_LIVE_JS = String.raw`
  var live = (function () {
    var TYPES = meta('warden-stream-events').split(',').filter(Boolean);
    var banner = document.getElementById('live');
    var LIVE_SEL = '.pill, .big, td, dd, .val, [data-live]';
    var reload = null; var source = null; var started = false;
    var follow = null; var pollEvery = 0; var pollTimer = null;
    var lost = false; var lostTimer = null; var firstTimer = null; var retryTimer = null; var backoff = 1000; var debounce = null;

    function state(s) { document.body.setAttribute('data-live', s); }
    function showBanner(on) {
      if (!banner) return;
      banner.hidden = !on;
      banner.textContent = on ? 'Live updates lost: reconnecting. What this page shows may be out of date.' : '';
    }
    function firstLoad() {
      if (started) return;
      started = true; clearTimeout(firstTimer);
      reload();
    }
    function changed(type) {
      if (!started) return;
      if (follow && type !== 'snapshot' && follow.indexOf(type) < 0) return;
      clearTimeout(debounce);
      debounce = setTimeout(reload, 100);
    }
    function connect() {
      source = new EventSource(G + '/stream');
      source.addEventListener('open', function () {
        clearTimeout(lostTimer); lostTimer = null; backoff = 1000; state('live');
        if (lost) { lost = false; showBanner(false); changed('snapshot'); }
      });
      source.addEventListener('error', function () {
        if (source.readyState === 2) { // CLOSED: EventSource gives up (an HTTP error); reconnect ourselves, backing off
          source.close();
          clearTimeout(retryTimer);
          retryTimer = setTimeout(connect, backoff);
          backoff = Math.min(backoff * 2, 30000);
        }
        if (!lost && !lostTimer) lostTimer = setTimeout(function () { lostTimer = null; lost = true; state('lost'); showBanner(true); }, 2000);
        firstLoad();
      });
      source.addEventListener('snapshot', function () { if (started) changed('snapshot'); else firstLoad(); });
      TYPES.forEach(function (t) { source.addEventListener(t, function () { changed(t); }); });
    }

    /** Where an element sits, the same after a render of the same data: ids, table rows by their first cell, else positions. */
    function keyOf(el) {
      var parts = [];
      for (var n = el; n && n !== content; n = n.parentElement) {
        if (n.getAttribute('data-key')) { parts.unshift('k:' + n.getAttribute('data-key')); break; }
        if (n.id && !/^f\d+$/.test(n.id)) { parts.unshift('#' + n.id); break; }
        var i = 0; var s = n;
        if (n.tagName === 'TR' && n.cells && n.cells[0]) {
          var first = n.cells[0].textContent;
          while ((s = s.previousElementSibling)) if (s.cells && s.cells[0] && s.cells[0].textContent === first) i++;
          parts.unshift('tr:' + first + ':' + i);
          continue;
        }
        while ((s = s.previousElementSibling)) i++;
        parts.unshift(n.tagName + i);
      }
      return parts.join('/');
    }
    function fieldKey(el) { var f = el.form || el.closest('form'); return (f ? f.getAttribute('aria-label') : '') + '|' + (el.name || el.textContent); }

    /** Before a render: the shown values, the fields the operator changed, the focus. */
    function capture() {
      var texts = {}; var fields = {}; var focus = null;
      content.querySelectorAll(LIVE_SEL).forEach(function (el) { texts[keyOf(el)] = el.textContent; });
      content.querySelectorAll('form input, form select, form textarea').forEach(function (el) {
        var dirty = el.type === 'checkbox' ? el.checked !== el.defaultChecked : el.tagName === 'SELECT' ? [].some.call(el.options, function (o) { return o.selected !== o.defaultSelected; }) : el.value !== el.defaultValue;
        if (dirty) fields[fieldKey(el)] = el.type === 'checkbox' ? el.checked : el.value;
      });
      var open = {};
      content.querySelectorAll('details').forEach(function (el) { if (el.open) open[keyOf(el)] = true; });
      var a = document.activeElement;
      if (a && a !== content && content.contains(a)) {
        var around = a.parentElement && a.parentElement.closest('[id]');
        focus = { key: a.closest('form') ? fieldKey(a) : keyOf(a), start: a.selectionStart, end: a.selectionEnd, around: around && content.contains(around) ? around.id : null };
      }
      return { texts: texts, fields: fields, open: open, focus: focus, any: Object.keys(texts).length > 0 };
    }
    /** After it: the operator's input back, the focus back, and what changed marked for a moment. */
    function restore(before) {
      content.querySelectorAll('details').forEach(function (el) { if (before.open[keyOf(el)]) el.open = true; });
      content.querySelectorAll('form input, form select, form textarea').forEach(function (el) {
        var k = fieldKey(el);
        if (!(k in before.fields)) return;
        if (el.type === 'checkbox') el.checked = before.fields[k]; else el.value = before.fields[k];
      });
      if (before.focus) {
        var target = null;
        content.querySelectorAll('input, select, textarea, button, a').forEach(function (el) {
          if (!target && (el.closest('form') ? fieldKey(el) : keyOf(el)) === before.focus.key) target = el;
        });
        if (target && document.activeElement !== target) {
          target.focus();
          try { if (typeof before.focus.start === 'number') target.setSelectionRange(before.focus.start, before.focus.end); } catch (e) { /* not a text field */ }
        } else if (!target) {
          // The control is gone (an act done turns Engage into Release): stay where it was, not at the top of the page.
          var near = before.focus.around && document.getElementById(before.focus.around) || document.getElementById('main');
          if (near) { if (!near.hasAttribute('tabindex')) near.setAttribute('tabindex', '-1'); near.focus(); }
        }
      }
      if (!before.any) return;
      var marked = [];
      content.querySelectorAll(LIVE_SEL).forEach(function (el) {
        var k = keyOf(el);
        if (k in before.texts && before.texts[k] !== el.textContent) { el.classList.add('changed'); marked.push(el); }
      });
      if (marked.length) setTimeout(function () { marked.forEach(function (el) { el.classList.remove('changed'); }); }, 2500);
    }

    return {
      start: function (load) {
        reload = load;
        state('connecting');
        if (typeof EventSource === 'function') connect();
        firstTimer = setTimeout(firstLoad, 1500);
        window.addEventListener('pagehide', function () { if (source) source.close(); });
      },
      capture: capture,
      restore: restore,
      /** For a page: follow only these event types (false: none); everyMs also reads it again that often (data the stream does not carry). */
      subscribe: function (types, o) {
        follow = types === false ? [] : types && types.length ? types.slice() : null;
        var every = o && o.everyMs > 0 ? Math.max(5000, o.everyMs) : 0;
        if (every !== pollEvery) {
          clearInterval(pollTimer);
          pollEvery = every;
          if (every) pollTimer = setInterval(function () { if (!document.hidden) changed('snapshot'); }, every);
        }
      },
    };
  })();
`;
