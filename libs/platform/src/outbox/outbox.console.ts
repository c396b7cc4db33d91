import { Injectable } from '@nestjs/common';
import { PLATFORM } from '../audit/platform.lever.js';
import { RECORDS_KIT_JS } from '../audit/records-kit.js';
import { ConsolePanel } from '../lever/contributions.js';
import { type ConsolePanelContract, consolePanelScript } from '../lever/console-panels.js';

const PAGE = { slug: 'outbox', title: 'Outbox', order: 75 };

/**
 * The notification outbox: per destination what waits, what keeps failing and what was given up,
 * then the dead letters (each with Replay for an operator) and the deliveries still being tried.
 * `?destination=<key>` narrows both lists to one destination. Operators and admins read it.
 */
const RENDER = String.raw`
function (kit) {
  ${RECORDS_KIT_JS}
  var h = kit.h, api = kit.api, when = kit.when, pill = kit.pill, section = kit.section, empty = kit.empty, content = kit.content, G = kit.G;
  var r = recordsKit(kit);
  var only = r.get('destination');
  var key = function (d) { return Number(d.id); };
  var lists = only ? '&destination=' + encodeURIComponent(only) : '';

  function where(d) { return d.url ? h('span', { class: 'mono', text: d.url }) : [h('code', { text: d.destination }), h('div', { class: 'muted', text: 'no longer configured' })]; }
  function notification(d) { return [h('code', { text: d.topic }), h('div', { class: 'muted', text: d.subject })]; }
  function replay(d) {
    if (!kit.CAN_ACT) return '—';
    return kit.actionForm({
      label: 'Replay delivery ' + d.id + ' (' + d.topic + ')', button: 'Replay', kind: 'primary', reasonRequired: false, reasonLabel: 'Reason (optional)',
      run: function (reason) { return api('POST', G + '/outbox/' + encodeURIComponent(d.id) + '/replay', reason ? { reason: reason } : {}); },
      done: kit.afterAction('Delivery ' + d.id + ' is queued again: it is sent at once, ahead of later notifications of its subject.'),
    });
  }

  return Promise.all([
    api('GET', G + '/outbox/destinations'),
    r.pagedLoad('d_', [G + '/outbox?status=dead&limit=25' + lists], key, 'dead letters'),
    r.pagedLoad('p_', [G + '/outbox?status=pending&limit=25' + lists], key, 'pending deliveries'),
  ]).then(function (res) {
    var dest = res[0], dead = res[1], pending = res[2];
    if (!dest.ok) {
      content.replaceChildren(section('Outbox', [empty(dest.status === 403 ? 'The outbox is read by operators and admins.' : 'Refused — ' + kit.problem(dest))]));
      return;
    }
    var destinations = dest.body.destinations || [];
    var shown = destinations.filter(function (d) { return d.destination === only; })[0];
    var perDestination = destinations.length ? kit.table('Deliveries per destination', [
      { label: 'Destination', cell: where },
      { label: 'State', cell: function (d) { return d.dead ? pill('bad', d.dead + ' dead') : d.failing ? pill('warn', 'failing') : d.pending ? pill('info', 'sending') : pill('ok', 'all delivered'); } },
      { label: 'Pending', num: true, cell: function (d) { return String(d.pending); } },
      { label: 'Failing', num: true, cell: function (d) { return String(d.failing); } },
      { label: 'Dead', num: true, cell: function (d) { return String(d.dead); } },
      { label: 'Oldest pending', cell: function (d) { return when(d.oldest_pending_at); } },
      { label: 'Newest error', cell: function (d) { return d.last_error || h('span', { class: 'muted', text: '—' }); } },
      { label: 'Deliveries', cell: function (d) {
        return d.destination === only ? h('span', { class: 'muted', text: 'shown below' }) : r.link('Show', r.href({ destination: d.destination, d_at: '', d_trail: '', p_at: '', p_trail: '' }), 'Show the deliveries to ' + (d.url || d.destination));
      } },
    ], destinations) : empty('No webhook is configured (WARDEN_WEBHOOK_URLS) and nothing waits.');
    var filter = only ? h('p', { class: 'summary' }, ['Deliveries to ', shown && shown.url ? h('span', { class: 'mono', text: shown.url }) : h('code', { text: only }), ' only · ',
      r.link('All destinations', r.href({ destination: '', d_at: '', d_trail: '', p_at: '', p_trail: '' }))]) : null;

    var deadList = dead.items.length ? kit.table('Dead letters, newest first', [
      { label: 'Notification', cell: notification },
      { label: 'Destination', cell: where },
      { label: 'Written', cell: function (d) { return when(d.created_at); } },
      { label: 'Dead since', cell: function (d) { return when(d.dead_at); } },
      { label: 'Attempts', num: true, cell: function (d) { return String(d.attempts); } },
      { label: 'Last error', cell: function (d) { return d.last_error || '—'; } },
      { label: 'Replay', cell: replay },
    ], dead.items) : empty('No dead letter: every delivery was made or is still being tried.');

    var pendingList = pending.items.length ? kit.table('Deliveries still being tried, newest first', [
      { label: 'Notification', cell: notification },
      { label: 'Destination', cell: where },
      { label: 'Written', cell: function (d) { return when(d.created_at); } },
      { label: 'State', cell: function (d) { return d.failing ? pill('warn', 'failing') : pill('info', d.attempts ? 'sending' : 'queued'); } },
      { label: 'Attempts', num: true, cell: function (d) { return String(d.attempts); } },
      { label: 'Next attempt', cell: function (d) { return when(d.next_attempt_at); } },
      { label: 'Last error', cell: function (d) { return d.last_error || '—'; } },
    ], pending.items) : empty('Nothing waits to be delivered.');

    content.replaceChildren(
      section('Destinations', [perDestination]),
      section('Dead letters', [filter, deadList, dead.nav]),
      section('Pending and failing', [filter ? filter.cloneNode(true) : null, pendingList, pending.nav]),
    );
  });
}
`;

@Injectable()
@ConsolePanel(PLATFORM, PAGE)
export class OutboxConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
