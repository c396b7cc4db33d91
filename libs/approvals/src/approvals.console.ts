import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { APPROVALS } from './approvals.lever.js';

const PAGE = { slug: 'approvals', title: 'Approvals', order: 50 };

/**
 * Approvals: the requests of one status (links, so a viewer gets no form), each with its payload shown
 * for what it is (a gate intent's tool, identity, targets, engine and amount; a change request's diff;
 * anything else as its fields), the decisions so far ("1 of 2", by whom) and the expiry. Approve and
 * Reject only for an operator who neither filed it nor decided it already (by name or person: the
 * server refuses both anyway). `#<id>` in the address (the link a pending act shows) marks that
 * request, read on its own when the status shown is not its own.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, when, pill, empty, table, section, items, actionForm, afterAction, content, G, ME, PERSON, CAN_ACT } = kit;
  kit.live(['approval.approved', 'approval.rejected', 'approval.expired', 'approval.cancelled'], { everyMs: 15000 });
  var STATUSES = [['pending', 'Pending'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['expired', 'Expired'], ['cancelled', 'Cancelled'], ['', 'All']];
  var asked = new URLSearchParams(location.search).get('status');
  var status = asked === null ? 'pending' : STATUSES.some(function (s) { return s[0] === asked; }) ? asked : 'pending';
  var target = decodeURIComponent(location.hash.slice(1));

  function text(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'object') { var j = JSON.stringify(v); return j.length > 300 ? j.slice(0, 300) + '…' : j; }
    return String(v);
  }
  function kv(pairs) {
    return h('dl', { class: 'kv' }, pairs.filter(function (p) { return p[1] !== undefined; }).reduce(function (out, p) {
      return out.concat([h('dt', { text: p[0] }), h('dd', {}, typeof p[1] === 'object' && p[1] && p[1].nodeType ? p[1] : text(p[1]))]);
    }, []));
  }
  /** A gate intent: what the agent asked to do, and what the grant is bound to. */
  function gateIntent(p) {
    var i = p.intent || {}; var c = i.context || {};
    return kv([
      ['Tool', h('code', { text: i.tool_name || '—' })],
      ['Identity', c.identity],
      ['Targets', (i.targets || []).length ? h('ul', { class: 'plain' }, i.targets.map(function (t) { return h('li', {}, [h('code', { text: t.kind + ':' + t.value }), t.operation ? ' (' + t.operation + ')' : '']); })) : '—'],
      ['Engine', p.engine], ['Amount', p.amount], ['Risk class', c.risk_class], ['Workspace', c.workspace],
      p.domain ? ['Domain', p.domain] : [0, undefined], p.recommendation_id ? ['Recommendation', p.recommendation_id] : [0, undefined],
      ['Reserve', p.reserve ? 'yes' : 'no'], ['Policy version', h('code', { text: String(p.policy_digest || '—').slice(0, 16) })],
    ]);
  }
  /** A change request: the control, the version it was filed against, and the diff. */
  function changeRequest(cr) {
    var diff = Array.isArray(cr.diff) ? cr.diff : Object.keys(Object.assign({}, cr.before || {}, cr.after || {})).filter(function (k) {
      return JSON.stringify((cr.before || {})[k]) !== JSON.stringify((cr.after || {})[k]);
    }).map(function (k) { return { path: k, before: (cr.before || {})[k], after: (cr.after || {})[k] }; });
    var t = table('Proposed change to ' + cr.control + ' ' + cr.subject, [
      { label: 'Field', cell: function (d) { return h('code', { text: d.path }); } },
      { label: 'Now', cell: function (d) { return text(d.before); } },
      { label: 'Proposed', cell: function (d) { return text(d.after); } },
    ], diff);
    t.classList.add('diff');
    [].forEach.call(t.tBodies[0].rows, function (tr) { tr.cells[1].classList.add('before'); tr.cells[2].classList.add('after'); });
    return h('div', {}, [kv([['Control', cr.control], ['Subject', cr.subject], ['Filed against version', cr.base_version]]), diff.length ? t : empty('No field changes.')]);
  }
  function payload(a) {
    var p = a.payload;
    if (p && typeof p === 'object' && p.change_request) return changeRequest(p.change_request);
    if (a.kind === 'gate_intent' && p && p.intent) return gateIntent(p);
    if (!p || typeof p !== 'object' || !Object.keys(p).length) return h('span', { class: 'muted', text: 'no payload' });
    return kv(Object.keys(p).map(function (k) { return [k.replace(/_/g, ' '), p[k]]; }));
  }
  function mine(d) { return d.approver === ME || (PERSON && d.approver_person === PERSON); }
  function decisions(a) {
    var ds = a.decisions || [];
    var count = h('div', { text: a.approvals + ' of ' + a.min_approvals + ' approval' + (a.min_approvals === 1 ? '' : 's') });
    return h('div', {}, [count].concat(ds.map(function (d) {
      return h('div', { class: 'muted' }, [d.decision === 'approve' ? 'approved by ' : 'rejected by ', h('strong', { text: d.approver }), ' · ' + when(d.decided_at) + (d.reason ? ' · ' + d.reason : '')]);
    })));
  }
  function statusPill(a) {
    return a.status === 'pending' ? pill('warn', 'Pending') : a.status === 'approved' ? pill('ok', a.consumed_at ? 'Approved, done' : 'Approved')
      : a.status === 'rejected' ? pill('bad', 'Rejected') : pill('info', a.status.charAt(0).toUpperCase() + a.status.slice(1));
  }
  function decide(a) {
    if (!CAN_ACT || a.status !== 'pending') return '—';
    if (a.requested_by === ME) return h('span', { class: 'muted', text: 'Your request: another operator decides' });
    var own = (a.decisions || []).filter(mine)[0];
    if (own) return h('span', { class: 'muted', text: 'You ' + (own.decision === 'approve' ? 'approved' : 'rejected') + ' it: waiting for another person (' + a.approvals + ' of ' + a.min_approvals + ')' });
    var approve = h('button', { type: 'button', class: 'primary', text: 'Approve', 'aria-label': 'Approve ' + a.kind + ' ' + a.subject, 'data-approval': a.id });
    approve.addEventListener('click', function () {
      approve.disabled = true;
      api('POST', G + '/approvals/' + encodeURIComponent(a.id) + '/approve', {}).then(afterAction('Approved ' + a.kind + ' ' + a.subject + '.'), function (e) { approve.disabled = false; say('error', String(e.message || e)); });
    });
    return h('div', { class: 'row-actions' }, [approve, actionForm({ label: 'Reject ' + a.kind + ' ' + a.subject, button: 'Reject', kind: 'secondary', reasonLabel: 'Reason to reject',
      run: function (reason) { return api('POST', G + '/approvals/' + encodeURIComponent(a.id) + '/reject', { reason: reason }); }, done: afterAction('Rejected ' + a.kind + ' ' + a.subject + '.') })]);
  }
  function requests(caption, list) {
    var t = table(caption, [
      { label: 'Request', cell: function (a) { return h('div', {}, [h('code', { text: a.kind }), ' ', statusPill(a), h('div', { text: a.subject }), h('div', { class: 'muted', text: a.reason })]); } },
      { label: 'Requested', cell: function (a) { return h('div', {}, [h('div', { text: a.requested_by }), h('div', { class: 'muted', text: when(a.created_at) }),
        a.risk_level === 'critical' || a.risk_level === 'high' ? pill('bad', a.risk_level) : pill('info', a.risk_level)]); } },
      { label: 'What it does', cell: payload },
      { label: 'Approvals', cell: decisions },
      { label: 'Expires / decided', cell: function (a) { return a.status === 'pending' ? 'expires ' + when(a.expires_at) : when(a.decided_at); } },
      { label: 'Decision', cell: decide },
    ], list);
    [].forEach.call(t.tBodies[0].rows, function (tr, i) { tr.id = list[i].id; tr.setAttribute('data-key', list[i].id); });
    return t;
  }
  var query = G + '/approvals?limit=50&include=decisions' + (status ? '&status=' + encodeURIComponent(status) : '');
  return api('GET', query).then(function (r) {
    if (!r.ok) throw new Error(kit.problem(r));
    var list = items(r.body);
    var linked = target && !list.some(function (a) { return a.id === target; }) && /^[0-9a-f-]{36}$/i.test(target)
      ? api('GET', G + '/approvals/' + encodeURIComponent(target)).then(function (x) { return x.ok ? x.body : null; }) : Promise.resolve(null);
    return Promise.all([list, linked]);
  }).then(function (rs) {
    var list = rs[0]; var linked = rs[1];
    var filters = h('nav', { class: 'filters', 'aria-label': 'Approval status' }, STATUSES.map(function (s) {
      return h('a', { href: '/console/approvals' + (s[0] ? '?status=' + s[0] : '?status='), 'aria-current': s[0] === status ? 'page' : null, class: 'filter', text: s[1] });
    }));
    var label = STATUSES.filter(function (s) { return s[0] === status; })[0][1];
    content.replaceChildren.apply(content, [
      filters,
      linked ? section('The request you followed', [requests('The linked approval request', [linked])]) : null,
      section(label + ' requests', list.length ? [h('div', { class: 'scroll' }, requests(label + ' approval requests', list))]
        : [empty(status === 'pending' ? 'No request waits for a decision.' : 'No ' + label.toLowerCase() + ' request.')]),
    ].filter(Boolean));
    var el = target && document.getElementById(target);
    if (el && content.getAttribute('data-followed') !== target) {
      content.setAttribute('data-followed', target);
      el.classList.add('target');
      el.setAttribute('tabindex', '-1');
      el.scrollIntoView({ block: 'center' });
      el.focus();
    } else if (el) el.classList.add('target');
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
