import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { GO_LIVE } from './go-live.lever.js';

const PAGE = { slug: 'status', title: 'Status', order: 10 };

/**
 * The console's home, the go-live lever's page: go-live (enable, disable) and the kill switch
 * (engage; release, which may ask a second operator: then shown pending), enforcement, the pending approvals count and the jobs' health from /metrics.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, when, pill, empty, table, section, items, actionForm, afterAction, content, G, CAN_ACT } = kit;
  // The approvals count and the jobs' health are not on the stream: read again every 30 s as well.
  kit.live(null, { everyMs: 30000 });
  /** The checklist items that are not ok (a 412's details: the checklist). */
  function failing(details) {
    var req = details.required || details.checklist && details.checklist.required || {};
    var bad = Object.keys(req).filter(function (k) { return req[k] && req[k].ok === false; });
    return bad.length ? bad.map(function (k) { return k.replace(/_/g, ' ') + ' (' + req[k].detail + ')'; }).join('; ') : 'see GET /api/governance/go-live/checklist';
  }
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
      // Under the two-person rule the answer is 202: afterAction shows it pending, with its request, never as released.
      kill.appendChild(actionForm({ label: 'Release the kill switch', button: 'Release kill switch', kind: 'primary', reasonLabel: 'Reason (required)',
        run: function (reason) { return api('POST', G + '/go-live/kill-switch/release', { reason: reason }); },
        done: afterAction('Kill switch released.', 'the kill switch release') }));
    }
    var goLive = h('div', { class: 'card', id: 'go-live' }, [h('h2', { text: 'Go-live' }), h('p', { class: 'big' }, s.go_live_enabled ? pill('ok', 'Enabled') : pill('warn', 'Disabled')),
      h('dl', { class: 'kv' }, [h('dt', { text: 'Changed by' }), h('dd', { text: s.changed_by || '—' }), h('dt', { text: 'At' }), h('dd', { text: when(s.updated_at) }), h('dt', { text: 'Reason' }), h('dd', { text: s.reason || '—' })])]);
    if (CAN_ACT && !s.go_live_enabled) {
      goLive.appendChild(actionForm({ label: 'Enable go-live', button: 'Enable go-live', kind: 'primary', reasonLabel: 'Reason', reasonRequired: false,
        run: function (reason) { return api('POST', G + '/go-live/enable', reason ? { reason: reason } : {}); },
        done: function (r) {
          if (r.status === 412 && r.body && r.body.details) return say('error', 'Refused — the go-live checklist is not complete: ' + failing(r.body.details));
          afterAction('Go-live enabled.')(r);
        } }));
    }
    if (CAN_ACT && s.go_live_enabled) {
      goLive.appendChild(actionForm({ label: 'Disable go-live', button: 'Disable go-live', kind: 'danger', reasonLabel: 'Reason (required)',
        run: function (reason) { return api('POST', G + '/go-live/disable', { reason: reason }); }, done: afterAction('Go-live disabled.') }));
    }
    content.replaceChildren(
      h('div', { class: 'grid' }, [
        goLive,
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
