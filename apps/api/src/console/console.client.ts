/**
 * The console shell's script (served from /console/assets/console.js): it reads the JSON API with
 * the session cookie, sends the CSRF token on every action, and builds the DOM with textContent
 * only (no HTML from data). Plain ES2017, no dependency. It names no page: each page's script (a
 * lever's @ConsolePanel, served from /console/assets/panels/<slug>.js) registers its renderer with
 * `WardenConsole.page`, and the shell runs the one of the page it is on, with the kit below.
 */
export const CONSOLE_JS = String.raw`
(function () {
  'use strict';
  function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.getAttribute('content') || '' : ''; }
  var CSRF = meta('warden-csrf');
  var ME = meta('warden-principal');
  var ROLE = meta('warden-role');
  var ROLES = ['viewer', 'engine', 'operator', 'admin'];
  var CAN_ACT = ROLES.indexOf(ROLE) >= ROLES.indexOf('operator');
  var content = document.getElementById('content');
  var notice = document.getElementById('notice');
  var G = '/api/governance';

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') el.textContent = String(v);
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
    return el;
  }
  function api(method, path, body) {
    var headers = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = CSRF;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 401) { location.assign('/console/sign-in?expired=1'); throw new Error('session ended'); }
        return res.text().then(function (t) {
          var b = null;
          try { b = t ? JSON.parse(t) : null; } catch (e) { b = t; }
          return { status: res.status, ok: res.ok, body: b };
        });
      });
  }
  function say(kind, text) { notice.className = 'notice ' + kind; notice.textContent = text; }
  function problem(r) { return r.body && r.body.error ? r.body.error + ': ' + (r.body.message || '') : 'HTTP ' + r.status; }
  function when(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 19) + ' UTC' : '—'; }
  function num(v) { return v === null || v === undefined ? NaN : Number(v); }
  function fmt(v) { var n = num(v); return isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 2 }); }
  function pct(v) { return v === null || v === undefined ? '—' : (Number(v) * 100).toFixed(1) + '%'; }
  function show(v) { return v === null || v === undefined ? '—' : typeof v === 'number' ? fmt(Math.round(v * 1000) / 1000) : String(v); }
  function pill(kind, text) { return h('span', { class: 'pill ' + kind, text: text }); }
  function empty(text) { return h('p', { class: 'empty', text: text }); }
  function table(caption, cols, rows) {
    return h('table', {}, [
      h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, cols.map(function (c) { return h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label }); }))),
      h('tbody', {}, rows.map(function (r) {
        return h('tr', {}, cols.map(function (c) { var v = c.cell(r); return h('td', { class: c.num ? 'num' : null }, v); }));
      })),
    ]);
  }
  function section(title, children) { return h('section', { class: 'card' }, [h('h2', { text: title })].concat(children)); }
  function items(body) { return Array.isArray(body) ? body : body && Array.isArray(body.items) ? body.items : []; }

  /** A reason field and a button; run(reason) returns the API promise. */
  function actionForm(o) {
    var input = h('input', { type: 'text', name: 'reason', required: o.reasonRequired !== false, maxlength: 500, placeholder: o.placeholder || '' });
    var button = h('button', { type: 'submit', class: o.kind || 'primary', text: o.button });
    var form = h('form', { class: 'act', 'aria-label': o.label }, [h('label', {}, [o.reasonLabel || 'Reason', input]), button]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      button.disabled = true;
      o.run(input.value.trim()).then(function (r) { button.disabled = false; o.done(r); }, function (e) { button.disabled = false; say('error', String(e.message || e)); });
    });
    return form;
  }
  function afterAction(okText) {
    return function (r) {
      if (r.ok) { say(r.status === 202 ? 'info' : 'ok', typeof okText === 'function' ? okText(r) : okText); load(); }
      else say('error', 'Refused — ' + problem(r));
    };
  }

  /** What a page's renderer gets: the helpers above and the page's state. */
  var kit = {
    h: h, api: api, say: say, problem: problem, when: when, num: num, fmt: fmt, pct: pct, show: show,
    pill: pill, empty: empty, table: table, section: section, items: items, actionForm: actionForm, afterAction: afterAction,
    content: content, G: G, ME: ME, ROLE: ROLE, CAN_ACT: CAN_ACT,
  };
  var pages = {};
  /** The pages' scripts (each lever's @ConsolePanel, loaded after this one) register their renderers here. */
  window.WardenConsole = { page: function (slug, render) { pages[slug] = render; } };

  function load() {
    var page = pages[document.body.getAttribute('data-page')];
    if (!page) return;
    content.setAttribute('aria-busy', 'true');
    page(kit).then(function () { content.setAttribute('aria-busy', 'false'); }, function (e) {
      content.setAttribute('aria-busy', 'false');
      say('error', 'Could not load this page: ' + String(e && e.message || e));
    });
  }
  // Deferred scripts run in order before DOMContentLoaded: by then the page's own script has registered.
  document.addEventListener('DOMContentLoaded', load);
})();
`;
