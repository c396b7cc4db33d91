import { CONSOLE_FORMS_JS } from './console.forms.client.js';
import { CONSOLE_LIVE_JS } from './console.live.client.js';

/**
 * The console shell's script (served from /console/assets/console.js): it reads the JSON API with
 * the session cookie, sends the CSRF token on every action, and builds the DOM with textContent
 * only (no HTML from data). Plain ES2017, no dependency. It names no page: each page's script (a
 * lever's @ConsolePanel, served from /console/assets/panels/<slug>.js) registers its renderer with
 * `WardenConsole.page`, and the shell runs the one of the page it is on, with the kit below, again
 * whenever the control-state stream reports a change (console.live.client.ts).
 */
const CORE_JS = String.raw`
  function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.getAttribute('content') || '' : ''; }
  var CSRF = meta('warden-csrf');
  var ME = meta('warden-principal');
  var PERSON = meta('warden-person');
  var ROLE = meta('warden-role');
  var ROLES = ['viewer', 'engine', 'operator', 'admin'];
  var CAN_ACT = ROLES.indexOf(ROLE) >= ROLES.indexOf('operator');
  var CAN_ADMIN = ROLE === 'admin';
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
  /** text: a string, or nodes (a pending notice carries a link). */
  function say(kind, text) {
    notice.className = 'notice ' + kind;
    if (typeof text === 'string') notice.textContent = text;
    else notice.replaceChildren.apply(notice, [].concat(text).filter(function (x) { return x !== null && x !== undefined; }));
  }
  function problem(r) { return r.body && r.body.error ? r.body.error + ': ' + (r.body.message || '') : 'HTTP ' + r.status; }
  function when(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 19) + ' UTC' : '—'; }
  function num(v) { return v === null || v === undefined ? NaN : Number(v); }
  function fmt(v) { var n = num(v); return isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 2 }); }
  function pct(v) { return v === null || v === undefined ? '—' : (Number(v) * 100).toFixed(1) + '%'; }
  function show(v) { return v === null || v === undefined ? '—' : typeof v === 'number' ? fmt(Math.round(v * 1000) / 1000) : String(v); }
  function pill(kind, text) { return h('span', { class: 'pill ' + kind, text: text }); }
  function empty(text) { return h('p', { class: 'empty', text: text }); }
  /** o.key(row): a stable key per row (data-key), so a live render marks the cells that changed in that row. */
  function table(caption, cols, rows, o) {
    return h('table', {}, [
      h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, cols.map(function (c) { return h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label }); }))),
      h('tbody', {}, rows.map(function (r) {
        return h('tr', { 'data-key': o && o.key ? o.key(r) : null }, cols.map(function (c) { var v = c.cell(r); return h('td', { class: c.num ? 'num' : null }, v); }));
      })),
    ]);
  }
  function section(title, children) { return h('section', { class: 'card' }, [h('h2', { text: title })].concat(children)); }
  function items(body) { return Array.isArray(body) ? body : body && Array.isArray(body.items) ? body.items : []; }
`;

const BOOT_JS = String.raw`
  /** What a page's renderer gets: the helpers above and the page's state. */
  var kit = {
    h: h, api: api, say: say, problem: problem, when: when, num: num, fmt: fmt, pct: pct, show: show,
    pill: pill, empty: empty, table: table, section: section, items: items, actionForm: actionForm, afterAction: afterAction,
    fieldsForm: fieldsForm, pendingNotice: pendingNotice, approvalHref: approvalHref, live: live.subscribe, reload: function () { return load(); },
    content: content, G: G, ME: ME, PERSON: PERSON, ROLE: ROLE, CAN_ACT: CAN_ACT, CAN_ADMIN: CAN_ADMIN,
  };
  var pages = {};
  /** The pages' scripts (each lever's @ConsolePanel, loaded after this one) register their renderers here. */
  window.WardenConsole = { page: function (slug, render) { pages[slug] = render; } };

  // A page's render replaces #content when its reads are back: what the operator typed meanwhile,
  // the focus and the open edit boxes are taken at that moment and put back in the new content.
  var replace = content.replaceChildren;
  content.replaceChildren = function () {
    var before = live.capture();
    replace.apply(content, arguments);
    live.restore(before);
  };
  var rendering = null;
  var again = false;
  /** Renders the page; a call while a render runs makes one more afterwards (a burst of events: two renders). */
  function load() {
    var page = pages[document.body.getAttribute('data-page')];
    if (!page) return Promise.resolve();
    if (rendering) { again = true; return rendering; }
    content.setAttribute('aria-busy', 'true');
    rendering = Promise.resolve().then(function () { return page(kit); }).then(function () { /* rendered */ }, function (e) {
      say('error', 'Could not load this page: ' + String(e && e.message || e));
    }).then(function () {
      content.setAttribute('aria-busy', 'false');
      rendering = null;
      if (again) { again = false; return load(); }
    });
    return rendering;
  }
  // Deferred scripts run in order before DOMContentLoaded: by then the page's own script has registered.
  // The stream is opened first and the page read after its snapshot, so no change falls between the two.
  document.addEventListener('DOMContentLoaded', function () { live.start(load); });
`;

export const CONSOLE_JS = `
(function () {
  'use strict';
${CORE_JS}${CONSOLE_FORMS_JS}${CONSOLE_LIVE_JS}${BOOT_JS}})();
`;
