import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { APPROVALS } from './approvals.lever.js';

const PAGE = { slug: 'approvals', title: 'Approvals', order: 50 };

/**
 * Approvals: the pending requests, with Approve and Reject for an operator who did not file them.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, when, pill, empty, table, section, items, actionForm, afterAction, content, G, ME, CAN_ACT } = kit;
  return api('GET', G + '/approvals?status=pending&limit=100').then(function (r) {
    var list = items(r.body);
    content.replaceChildren(section('Pending requests', list.length ? [table('Pending approval requests', [
      { label: 'Requested', cell: function (a) { return when(a.created_at); } },
      { label: 'Kind', cell: function (a) { return h('code', { text: a.kind }); } },
      { label: 'Subject', cell: function (a) { return a.subject; } },
      { label: 'Reason', cell: function (a) { return a.reason; } },
      { label: 'Requested by', cell: function (a) { return a.requested_by; } },
      { label: 'Risk', cell: function (a) { return a.risk_level === 'critical' || a.risk_level === 'high' ? pill('bad', a.risk_level) : pill('info', a.risk_level); } },
      { label: 'Approvals', num: true, cell: function (a) { return a.approvals + ' / ' + a.min_approvals; } },
      { label: 'Expires', cell: function (a) { return when(a.expires_at); } },
      { label: 'Decision', cell: function (a) {
        if (!CAN_ACT) return '—';
        if (a.requested_by === ME) return h('span', { class: 'muted', text: 'Your request: another operator decides' });
        var approve = h('button', { type: 'button', class: 'primary', text: 'Approve', 'aria-label': 'Approve ' + a.kind + ' ' + a.subject, 'data-approval': a.id });
        approve.addEventListener('click', function () {
          approve.disabled = true;
          api('POST', G + '/approvals/' + encodeURIComponent(a.id) + '/approve', {}).then(afterAction('Approved ' + a.kind + ' ' + a.subject + '.'), function (e) { approve.disabled = false; say('error', String(e.message || e)); });
        });
        return h('div', { class: 'row-actions' }, [approve, actionForm({ label: 'Reject ' + a.kind + ' ' + a.subject, button: 'Reject', kind: 'secondary', reasonLabel: 'Reason to reject',
          run: function (reason) { return api('POST', G + '/approvals/' + encodeURIComponent(a.id) + '/reject', { reason: reason }); }, done: afterAction('Rejected ' + a.kind + ' ' + a.subject + '.') })]);
      } },
    ], list)] : [empty('No request waits for a decision.')]));
  });
}
`;

@Injectable()
@ConsolePanel(APPROVALS, PAGE)
export class ApprovalsConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
