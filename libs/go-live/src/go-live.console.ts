import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { GO_LIVE } from './go-live.lever.js';

const PAGE = { slug: 'status', title: 'Status', order: 10 };

/**
 * The console's home, the go-live lever's page: go-live and the kill switch (engage; release, which
 * may ask a second operator), enforcement, the pending approvals count and the jobs' health from /metrics.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, when, pill, empty, table, section, items, actionForm, afterAction, content, G, CAN_ACT } = kit;
  function jobHealth(text) {
    var rows = [];
    String(text || '').split('\n').forEach(function (line) {
      var m = /^warden_job_last_success_timestamp_seconds\{job="([^"]+)"\} (\S+)$/.exec(line);
      if (m) rows.push({ job: m[1], at: Number(m[2]) });
    });
    return rows;
  }

  return Promise.all([api('GET', G + '/go-live/state'), api('GET', '/metrics'), api('GET', G + '/approvals?status=pending&limit=100')]).then(function (r) {
    var s = r[0].body || {};
    var jobs = jobHealth(r[1].body);
    var pending = items(r[2].body).length;
    var kill = h('div', { class: 'card', id: 'kill-switch' }, [
      h('h2', { text: 'Kill switch' }),
      h('p', { class: 'big' }, s.kill_switch_engaged ? pill('bad', 'Engaged') : pill('ok', 'Released')),
      h('p', { class: 'muted', text: s.kill_switch_engaged ? 'Every PROD_EXEC request is refused.' : 'Production execution is allowed by the kill switch.' }),
    ]);
    if (CAN_ACT && !s.kill_switch_engaged) {
      kill.appendChild(actionForm({ label: 'Engage the kill switch', button: 'Engage kill switch', kind: 'danger', reasonLabel: 'Reason (required)',
        run: function (reason) { return api('POST', G + '/go-live/kill-switch/engage', { reason: reason }); }, done: afterAction('Kill switch engaged.') }));
    }
    if (CAN_ACT && s.kill_switch_engaged) {
      kill.appendChild(actionForm({ label: 'Release the kill switch', button: 'Release kill switch', kind: 'primary', reasonLabel: 'Reason (required)',
        run: function (reason) { return api('POST', G + '/go-live/kill-switch/release', { reason: reason }); },
        done: afterAction(function (r) {
          return r.status === 202 ? 'Approval requested: a second operator must approve the release' + (r.body && r.body.approval_id ? ' (request ' + r.body.approval_id + ').' : '.') : 'Kill switch released.';
        }) }));
    }
    content.replaceChildren(
      h('div', { class: 'grid' }, [
        h('div', { class: 'card' }, [h('h2', { text: 'Go-live' }), h('p', { class: 'big' }, s.go_live_enabled ? pill('ok', 'Enabled') : pill('warn', 'Disabled')),
          h('dl', { class: 'kv' }, [h('dt', { text: 'Changed by' }), h('dd', { text: s.changed_by || '—' }), h('dt', { text: 'At' }), h('dd', { text: when(s.updated_at) }), h('dt', { text: 'Reason' }), h('dd', { text: s.reason || '—' })])]),
        kill,
        h('div', { class: 'card' }, [h('h2', { text: 'Enforcement' }), h('p', { class: 'big' }, s.enforced ? pill('info', 'Enforced') : pill('warn', 'Not enforced')),
          h('p', { class: 'muted', text: s.enforced ? 'This instance refuses requests while go-live is disabled.' : 'Go-live is reported, not enforced, on this instance (the kill switch always is).' })]),
        h('div', { class: 'card' }, [h('h2', { text: 'Approvals' }), h('p', { class: 'big', text: String(pending) }), h('p', {}, h('a', { href: '/console/approvals', text: pending === 1 ? '1 request waits for a decision' : pending + ' requests wait for a decision' }))]),
      ]),
      section('Job health', jobs.length ? [table('Scheduled jobs', [
        { label: 'Job', cell: function (j) { return h('code', { text: j.job }); } },
        { label: 'State', cell: function (j) { return j.at > 0 ? pill('ok', 'Ran') : pill('warn', 'Never succeeded'); } },
        { label: 'Last success', cell: function (j) { return j.at > 0 ? when(new Date(j.at * 1000).toISOString()) : '—'; } },
      ], jobs)] : [empty('No scheduled job has reported yet.')]),
    );
  });
}
`;

@Injectable()
@ConsolePanel(GO_LIVE, PAGE)
export class GoLiveConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
