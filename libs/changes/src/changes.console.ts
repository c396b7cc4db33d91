import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { CHANGES } from './changes.lever.js';

const PAGE = { slug: 'changes', title: 'Changes', order: 55 };

/**
 * Held changes: paths, diff stats, the risk factors and why each is held, with Approve and Reject
 * through the approvals API (an operator who did not file it), and break-glass reviews still open.
 * Client code (plain ES2017), run by the console shell with its kit; text only, never HTML.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, when, pill, empty, table, section, actionForm, afterAction, content, G, ME, CAN_ACT } = kit;
  function paths(c) {
    var shown = c.requested_paths.slice(0, 10).map(function (p, i) {
      var check = c.path_checks[i] || {};
      return h('li', {}, [h('code', { text: p }), ' ', check.auto_approvable ? pill('ok', 'allowed') : pill('bad', check.why || 'held')]);
    });
    if (c.requested_paths.length > 10) shown.push(h('li', { class: 'muted', text: 'and ' + (c.requested_paths.length - 10) + ' more' }));
    return h('ul', {}, shown);
  }
  function factors(c) {
    var f = c.risk_score.factors;
    return h('div', {}, [
      h('div', { text: 'score ' + c.risk_score.score.toFixed(3) + ' (' + c.risk_score.level + ')' }),
      h('div', { class: 'muted', text: 'scope ' + f.scope_size + ', protected ' + f.protected_paths + ', category ' + f.category + ', cross-cutting ' + f.cross_cutting }),
    ].concat(c.risk_score.reasons.map(function (r) { return h('div', { class: 'muted', text: r }); })));
  }
  function decide(c) {
    if (!CAN_ACT) return '—';
    if (c.requested_by === ME) return h('span', { class: 'muted', text: 'Your change: another operator decides' });
    var approve = h('button', { type: 'button', class: 'primary', text: 'Approve', 'aria-label': 'Approve change ' + c.request_id });
    approve.addEventListener('click', function () {
      approve.disabled = true;
      api('POST', G + '/approvals/' + encodeURIComponent(c.approval_id) + '/approve', {}).then(afterAction('Approved change ' + c.request_id + '.'), function (e) { approve.disabled = false; say('error', String(e.message || e)); });
    });
    return h('div', { class: 'row-actions' }, [approve, actionForm({ label: 'Reject change ' + c.request_id, button: 'Reject', kind: 'secondary', reasonLabel: 'Reason to reject',
      run: function (reason) { return api('POST', G + '/approvals/' + encodeURIComponent(c.approval_id) + '/reject', { reason: reason }); }, done: afterAction('Rejected change ' + c.request_id + '.') })]);
  }
  return Promise.all([api('GET', G + '/pending?limit=100'), api('GET', G + '/history?limit=100')]).then(function (rs) {
    var held = (rs[0].body && rs[0].body.pending_requests) || [];
    var reviews = ((rs[1].body && rs[1].body.requests) || []).filter(function (c) { return c.break_glass && c.break_glass.review_status === 'open'; });
    content.replaceChildren(
      section('Held changes', held.length ? [table('Changes waiting for a decision', [
        { label: 'Filed', cell: function (c) { return when(c.created_at); } },
        { label: 'Run / phase', cell: function (c) { return c.run_id + ' / ' + c.phase_id; } },
        { label: 'Tier', cell: function (c) { return c.tier === 4 ? pill('bad', 'tier 4') : pill('info', 'tier ' + c.tier); } },
        { label: 'Risk', cell: function (c) { return c.risk_level === 'critical' || c.risk_level === 'high' ? pill('bad', c.risk_level) : pill('info', c.risk_level); } },
        { label: 'Paths', cell: paths },
        { label: 'Diff', cell: function (c) { return c.diff_stats ? ('+/- ' + c.diff_stats.lines_changed + ' changed, ' + c.diff_stats.lines_removed + ' removed') : 'no stats'; } },
        { label: 'Risk factors', cell: factors },
        { label: 'Why held', cell: function (c) { return c.reason_codes.join(', '); } },
        { label: 'Justification', cell: function (c) { return c.justification; } },
        { label: 'Expires', cell: function (c) { return when(c.expires_at); } },
        { label: 'Decision', cell: decide },
      ], held)] : [empty('No change waits for a decision.')]),
      section('Break-glass reviews still open', reviews.length ? [table('Changes let through by break-glass, awaiting a second operator', [
        { label: 'When', cell: function (c) { return when(c.break_glass.at); } },
        { label: 'By', cell: function (c) { return c.break_glass.by; } },
        { label: 'Reason', cell: function (c) { return c.break_glass.reason; } },
        { label: 'Change', cell: function (c) { return c.run_id + ' / ' + c.phase_id + ' (' + c.requested_paths.length + ' paths)'; } },
        { label: 'Review', cell: function (c) { return h('a', { href: '/console/approvals', text: 'close it on Approvals' }); } },
      ], reviews)] : [empty('No break-glass awaits its review.')])
    );
  });
}
`;

@Injectable()
@ConsolePanel(CHANGES, PAGE)
export class ChangesConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
