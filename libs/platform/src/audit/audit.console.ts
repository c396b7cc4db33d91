import { Injectable } from '@nestjs/common';
import { ConsolePanel } from '../lever/contributions.js';
import { type ConsolePanelContract, consolePanelScript } from '../lever/console-panels.js';
import { PLATFORM } from './platform.lever.js';
import { RECORDS_KIT_JS } from './records-kit.js';

const PAGE = { slug: 'audit', title: 'Audit', order: 70 };

/**
 * The audit trail: who did what, the change (before → after), filtered by subject, action,
 * principal and time, newest first, paged by cursor. Every filter is in the address, so a subject
 * link elsewhere (`/console/audit?subject=risk_policy:WHOLESALE`) opens its history. Operators and
 * admins read it (the API's rule); nothing on the page acts.
 */
const RENDER = String.raw`
function (kit) {
  ${RECORDS_KIT_JS}
  var FILTERS = [
    { name: 'subject', label: 'Subject', placeholder: 'risk_policy:WHOLESALE', width: '14rem' },
    { name: 'action', label: 'Action', placeholder: 'go_live.kill_switch.engage', width: '14rem' },
    { name: 'principal', label: 'Principal', placeholder: 'token name' },
    { name: 'since', label: 'From (UTC)', placeholder: '2026-01-05 or 2026-01-05T08:00:00Z' },
    { name: 'until', label: 'Until (UTC)', placeholder: '2026-01-12' },
  ];
  /** A day alone means its midnight UTC. */
  function instant(v) { return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v + 'T00:00:00Z' : v; }
  var same = function (a, b) { return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b); };
  var isObject = function (v) { return v !== null && typeof v === 'object' && !Array.isArray(v); };

  var h = kit.h, when = kit.when, section = kit.section, empty = kit.empty, content = kit.content, G = kit.G;
  var r = recordsKit(kit);

  /** The change a row records: the fields whose value differs between details.before and details.after. */
  function change(details) {
    details = details || {};
    var rest = {};
    Object.keys(details).forEach(function (k) { if (k !== 'before' && k !== 'after') rest[k] = details[k]; });
    var out = [];
    if ('before' in details || 'after' in details) {
      var b = details.before, a = details.after, rows;
      if (isObject(b) || isObject(a)) {
        var keys = [];
        [b, a].forEach(function (o) { if (isObject(o)) Object.keys(o).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
        rows = keys.filter(function (k) { return !same(isObject(b) ? b[k] : undefined, isObject(a) ? a[k] : undefined); })
          .map(function (k) { return { field: k, before: isObject(b) ? b[k] : null, after: isObject(a) ? a[k] : null }; });
      } else rows = same(b, a) ? [] : [{ field: '(value)', before: b, after: a }];
      out.push(rows.length ? kit.table('Fields changed', [
        { label: 'Field', cell: function (x) { return h('code', { text: x.field }); } },
        { label: 'Before', cell: function (x) { return r.dataView(x.before, 2); } },
        { label: 'After', cell: function (x) { return r.dataView(x.after, 2); } },
      ], rows) : h('span', { class: 'muted', text: b === null || b === undefined ? 'created' : 'no field changed' }));
    }
    if (Object.keys(rest).length) out.push(h('details', {}, [h('summary', { text: out.length ? 'More details' : 'Details' }), r.dataView(rest, 1)]));
    return out.length ? out : h('span', { class: 'muted', text: '—' });
  }

  var q = { limit: /^[1-9][0-9]{0,2}$/.test(r.get('limit')) ? r.get('limit') : 50, subject: r.get('subject'), action: r.get('action'), principal: r.get('principal'), since: instant(r.get('since')), until: instant(r.get('until')) };
  var bar = r.filterBar('Filter the audit trail', FILTERS, ['a_at', 'a_trail']);
  return r.pagedLoad('a_', [G + '/audit' + r.query(q)], function (e) { return Number(e.id); }, 'audit entries').then(function (page) {
    if (page.refused) {
      var why = page.refused.status === 403 ? 'The audit trail is read by operators and admins.' : 'Refused — ' + kit.problem(page.refused);
      content.replaceChildren(section('Filters', [bar]), section('Audit trail', [empty(why)]));
      return;
    }
    var filtered = FILTERS.some(function (f) { return r.get(f.name); });
    var list = page.items.length ? kit.table('Audit entries, newest first', [
      { label: 'When', cell: function (e) { return when(e.at); } },
      { label: 'Who', cell: function (e) {
        return [r.link(e.principal, r.href({ principal: e.principal, a_at: '', a_trail: '' }), 'Only what ' + e.principal + ' did'),
          e.principal_token_id ? h('div', { class: 'muted mono', text: 'token ' + e.principal_token_id }) : null,
          e.actor_label ? h('div', { class: 'muted', text: 'as “' + e.actor_label + '” (label, not verified)' }) : null];
      } },
      { label: 'What', cell: function (e) {
        return [h('div', {}, r.link(e.action, r.href({ action: e.action, a_at: '', a_trail: '' }), 'Only ' + e.action)),
          h('div', {}, [h('span', { class: 'muted', text: 'on ' }), r.link(e.subject, r.href({ subject: e.subject, a_at: '', a_trail: '' }), 'History of ' + e.subject)])];
      } },
      { label: 'Reason', cell: function (e) { return e.reason || h('span', { class: 'muted', text: '—' }); } },
      { label: 'Before → after', cell: function (e) { return change(e.details); } },
    ], page.items) : empty(filtered ? 'No audit entry matches these filters.' : 'The audit trail is empty.');
    content.replaceChildren(section('Filters', [bar]), section(filtered ? 'Matching audit entries' : 'Audit trail', [list, page.nav]));
  });
}
`;

@Injectable()
@ConsolePanel(PLATFORM, PAGE)
export class AuditConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
