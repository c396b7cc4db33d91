import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript, RECORDS_KIT_JS } from '#platform';
import { GATE } from './gate.lever.js';

const PAGE = { slug: 'decisions', title: 'Decisions', order: 65 };

/**
 * "Why was this blocked?": the recorded decisions of every lever — gate decisions, risk denials,
 * Heimdall checks, tripwire evaluations — found by one search box (an engine or domain name, an
 * identity, a correlation id, a decision or recommendation id), each with a Trace link that opens
 * its reasons and every step it took. The gate's evaluation consults every other lever, so the page
 * sits with it; it only reads each lever's own list API. State is in the address (`?q=`, `?trace=`).
 */
const RENDER = String.raw`
function (kit) {
  ${RECORDS_KIT_JS}
  var IDENT = /^[A-Za-z0-9_]{1,32}$/;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var IDENTITY = /^[^\s\/][^\/]{0,199}$/;
  var KEY = /^[A-Za-z0-9._:-]{1,200}$/;
  var TONE = { allow: 'ok', dry_run: 'info', require_approval: 'warn', block: 'bad', denied: 'bad', allowed: 'ok', allowed_observed: 'warn', triggered: 'bad', ok: 'ok', insufficient_data: 'info', disabled: 'info' };
  var at = function (x) { return String(x.at || x.created_at || ''); };

  var h = kit.h, api = kit.api, when = kit.when, pill = kit.pill, section = kit.section, empty = kit.empty, content = kit.content, G = kit.G;
  var r = recordsKit(kit);
  var q = r.get('q');
  var UP = q.toUpperCase();
  var tone = function (v) { return pill(TONE[v] || 'info', String(v).replace(/_/g, ' ')); };
  var muted = function (t) { return h('span', { class: 'muted', text: t }); };
  var search = function (v) { return v ? r.link(v, r.href({ q: v, trace: '', g_at: '', g_trail: '', r_at: '', r_trail: '', h_at: '', h_trail: '', t_at: '', t_trail: '' }), 'Decisions of ' + v) : muted('—'); };
  var traceLink = function (lever, id, what) { return r.link('Trace', r.href({ trace: lever + ':' + id }, '#trace'), 'Trace of ' + what); };
  var kv = function (pairs) { return h('dl', { class: 'kv' }, [].concat.apply([], pairs.filter(function (p) { return p; }).map(function (p) { return [h('dt', { text: p[0] }), h('dd', {}, p[1])]; }))); };

  // The list calls a query means, per lever (a name may be an engine and an identity at once).
  var ident = IDENT.test(q), uuid = UUID.test(q), key = KEY.test(q), identity = IDENTITY.test(q);
  var paths = q ? {
    g: [].concat(ident ? [G + '/gate/decisions?limit=20&engine=' + encodeURIComponent(UP)] : [], identity ? [G + '/gate/decisions?limit=20&identity=' + encodeURIComponent(q)] : []),
    r: [].concat(ident ? [G + '/risk/events?limit=20&kind=reserve&outcome=denied&engine=' + encodeURIComponent(UP)] : [], key ? [G + '/risk/events?limit=20&kind=reserve&correlation_id=' + encodeURIComponent(q)] : []),
    h: [].concat(ident ? [G + '/heimdall/checks?limit=20&domain=' + encodeURIComponent(UP)] : [], key ? [G + '/heimdall/checks?limit=20&correlation_id=' + encodeURIComponent(q)] : [],
      uuid ? [G + '/heimdall/checks?limit=20&recommendation_id=' + encodeURIComponent(q)] : []),
    t: ident ? [G + '/regression/events?limit=20&domain=' + encodeURIComponent(UP), G + '/regression/events?limit=20&target_engine=' + encodeURIComponent(UP)] : [],
  } : {
    g: [G + '/gate/decisions?limit=20&verdict=block'],
    r: [G + '/risk/events?limit=20&kind=reserve&outcome=denied'],
    h: [G + '/heimdall/checks?limit=20&prod_eligible=false'],
    t: [G + '/regression/events?limit=20&type=triggered'],
  };
  function load(prefix, list, label) { return list.length ? r.pagedLoad(prefix, list, at, label) : Promise.resolve(null); }

  function gateRows(items) {
    return kit.table('Gate decisions, newest first', [
      { label: 'When', cell: function (d) { return when(d.created_at); } },
      { label: 'Verdict', cell: function (d) { return [tone(d.verdict), d.simulate ? muted(' simulated') : null, d.would_have_blocked ? muted(' would have blocked') : null]; } },
      { label: 'Identity', cell: function (d) { return search(d.identity); } },
      { label: 'Engine', cell: function (d) { return search(d.engine); } },
      { label: 'Policy', cell: function (d) { return [h('code', { text: d.policy }), d.mode ? muted(' ' + d.mode) : null]; } },
      { label: 'Reasons', cell: function (d) { return r.reasons(d.reason_codes); } },
      { label: 'Trace', cell: function (d) { return traceLink('gate', d.id, 'gate decision ' + d.id); } },
    ], items);
  }
  function riskRows(items) {
    return kit.table('Risk decisions, newest first', [
      { label: 'When', cell: function (e) { return when(e.at); } },
      { label: 'Engine', cell: function (e) { return search(e.engine); } },
      { label: 'Outcome', cell: function (e) { return tone(e.outcome); } },
      { label: 'Amount', num: true, cell: function (e) { return kit.show(e.amount); } },
      { label: 'Correlation id', cell: function (e) { return search(e.correlation_id); } },
      { label: 'Reasons', cell: function (e) { return r.reasons(e.reason_codes); } },
      { label: 'Trace', cell: function (e) { return traceLink('risk', e.id, 'risk event ' + e.id); } },
    ], items);
  }
  function heimdallRows(items) {
    return kit.table('Heimdall checks, newest first', [
      { label: 'When', cell: function (c) { return when(c.at); } },
      { label: 'Domain', cell: function (c) { return search(c.domain); } },
      { label: 'Check', cell: function (c) { return c.kind === 'created' ? 'at creation' : 're-check'; } },
      { label: 'Eligible', cell: function (c) { return c.prod_eligible ? pill('ok', 'eligible') : pill('bad', 'not eligible'); } },
      { label: 'Reasons', cell: function (c) { return r.reasons(c.reason_codes); } },
      { label: 'Correlation id', cell: function (c) { return search(c.correlation_id); } },
      { label: 'Trace', cell: function (c) { return traceLink('heimdall', c.id, 'Heimdall check ' + c.id); } },
    ], items);
  }
  function tripwireRows(items) {
    return kit.table('Tripwire evaluations, newest first', [
      { label: 'When', cell: function (e) { return when(e.at); } },
      { label: 'Stream', cell: function (e) { return [search(e.domain), muted(' / ' + e.metric)]; } },
      { label: 'Event', cell: function (e) { return e.type.replace(/_/g, ' '); } },
      { label: 'Status', cell: function (e) { return e.status ? tone(e.status) : muted('—'); } },
      { label: 'Action', cell: function (e) {
        var target = e.details && e.details.target_engine;
        // One flat list: the DOM builder appends each child, and an array is not a node.
        return e.action ? [h('code', { text: e.action }), target ? muted(' on ') : null, target ? search(target) : null] : muted('—');
      } },
      { label: 'Drop', num: true, cell: function (e) { return e.details && e.details.drop !== undefined && e.details.drop !== null ? kit.pct(e.details.drop) : '—'; } },
      { label: 'Trace', cell: function (e) { return traceLink('tripwire', e.id, 'tripwire event ' + e.id); } },
    ], items);
  }

  /** The one record ?trace=<lever>:<id> names: its reasons and every step. */
  function trace() {
    var m = /^(gate|risk|heimdall|tripwire):([0-9a-f-]{1,40})$/i.exec(r.get('trace'));
    if (!m) return Promise.resolve(null);
    var lever = m[1], id = m[2];
    var path = { gate: '/gate/decisions/', risk: '/risk/events/', heimdall: '/heimdall/checks/', tripwire: '/regression/events/' }[lever];
    return api('GET', G + path + encodeURIComponent(id)).then(function (res) {
      var body = [];
      if (!res.ok) body.push(empty(res.status === 404 ? 'No such record (' + lever + ' ' + id + ').' : 'Refused — ' + kit.problem(res)));
      else if (lever === 'gate') {
        var d = res.body;
        body.push(kv([['Verdict', tone(d.verdict)], ['Reasons', r.reasons(d.reason_codes)], ['Identity', search(d.identity)], ['Engine', search(d.engine)],
          ['Asked by', d.principal], ['Policy', [h('code', { text: d.policy }), d.mode ? muted(' ' + d.mode) : null]], ['Policy digest', h('code', { text: d.policy_digest || '—' })],
          ['Intent digest', h('code', { text: d.intent_digest || '—' })], d.approval_id ? ['Approval', [h('code', { text: d.approval_id }), muted(' ' + (d.approval_use || ''))]] : null,
          ['Simulated', d.simulate ? 'yes' : 'no'], ['Would have blocked', d.would_have_blocked ? 'yes' : 'no'], ['When', when(d.created_at)], ['Decision id', h('code', { text: d.id })]]));
        body.push(h('h3', { text: 'Steps' }), kit.table('Steps of the evaluation, in order', [
          { label: 'Step', cell: function (s) { return h('code', { text: s.step }); } },
          { label: 'Verdict', cell: function (s) { return tone(s.verdict); } },
          { label: 'Reasons', cell: function (s) { return r.reasons(s.reason_codes); } },
          { label: 'Details', cell: function (s) { return r.dataView(s.details, 1); } },
        ], d.trace || []));
      } else if (lever === 'risk') {
        var e = res.body;
        body.push(kv([['Outcome', tone(e.outcome)], ['Reasons', r.reasons(e.reason_codes)], ['Engine', search(e.engine)], ['Kind', e.kind], ['Amount', kit.show(e.amount)],
          ['Correlation id', search(e.correlation_id)], e.reservation_id ? ['Reservation', h('code', { text: e.reservation_id })] : null, ['Reason given', e.reason || '—'],
          ['Asked by', e.principal], ['UTC day', e.day], ['When', when(e.at)]]));
        body.push(h('h3', { text: 'Caps, usage and headroom it was judged against' }), r.dataView(e.details, 0));
      } else if (lever === 'heimdall') {
        var c = res.body;
        body.push(kv([['Eligible', c.prod_eligible ? pill('ok', 'eligible') : pill('bad', 'not eligible')], ['First failing gate', h('code', { text: c.gate_reason })],
          ['Reasons', r.reasons(c.reason_codes)], ['Domain', search(c.domain)], ['Check', c.kind === 'created' ? 'at creation' : 're-check'], ['Recommendation', search(c.recommendation_id)],
          ['Confidence', kit.show(c.confidence)], ['Correlation id', search(c.correlation_id)], ['Asked by', c.principal], ['When', when(c.at)],
          c.window ? ['Sandbox window', c.window.successes + ' successes of ' + c.window.trials + ' trials'] : null]));
        body.push(h('h3', { text: 'Gates' }), kit.table('Every gate, actual against required', [
          { label: 'Gate', cell: function (g) { return h('code', { text: g.gate }); } },
          { label: 'Passed', cell: function (g) { return g.passed ? pill('ok', 'passed') : pill('bad', g.reason_code); } },
          { label: 'Actual', num: true, cell: function (g) { return kit.show(g.actual); } },
          { label: 'Required', num: true, cell: function (g) { return kit.show(g.required); } },
          { label: 'Distance', cell: function (g) { return g.distance; } },
        ], c.gates || []));
      } else {
        var t = res.body;
        body.push(kv([['Event', t.type.replace(/_/g, ' ')], ['Status', t.status ? tone(t.status) : '—'], ['Stream', [search(t.domain), muted(' / ' + t.metric)]],
          ['Action', t.action ? h('code', { text: t.action }) : '—'], ['By', t.principal], ['When', when(t.at)]]));
        body.push(h('h3', { text: 'Figures' }), r.dataView(t.details, 0));
      }
      body.push(h('p', { class: 'foot' }, r.link('Close the trace', r.href({ trace: '' }))));
      var card = section('Trace: ' + lever + ' ' + id, body);
      card.setAttribute('id', 'trace');
      card.firstChild.setAttribute('tabindex', '-1');
      return card;
    });
  }

  var bar = r.filterBar('Search the decisions', [{ name: 'q', label: 'Engine, identity, correlation id or decision id', placeholder: 'WHOLESALE, agent-alice, deal-2025-11-21-0001…', width: '30rem' }],
    ['trace', 'g_at', 'g_trail', 'r_at', 'r_trail', 'h_at', 'h_trail', 't_at', 't_trail']);
  var byId = uuid ? api('GET', G + '/gate/decisions/' + encodeURIComponent(q.toLowerCase())) : Promise.resolve(null);
  return Promise.all([trace(), byId, load('g_', paths.g, 'gate decisions'), load('r_', paths.r, 'risk denials'), load('h_', paths.h, 'Heimdall checks'), load('t_', paths.t, 'tripwire evaluations')])
    .then(function (res) {
      var traced = res[0], one = res[1];
      function part(title, page, rows, none) {
        if (!page) return section(title, [empty(q ? 'This search does not apply here.' : none)]);
        if (page.refused) return section(title, [empty('Refused — ' + kit.problem(page.refused))]);
        return section(title, [page.items.length ? rows(page.items) : empty(q ? 'Nothing matches “' + q + '”.' : none), page.nav]);
      }
      var gate = res[2];
      if (one && one.ok && gate && !gate.items.some(function (d) { return d.id === one.body.id; })) gate.items.unshift(one.body);
      else if (one && one.ok && !gate) gate = { items: [one.body], nav: null, refused: null };
      var intro = q ? h('p', { class: 'summary', text: 'Decisions matching “' + q + '”: follow Trace for the reasons and every step.' })
        : h('p', { class: 'summary', text: 'The latest refusals of each lever. Search by engine or domain, identity, correlation id or decision id to see every decision.' });
      content.replaceChildren.apply(content, [section('Search', [bar, intro])].concat(traced ? [traced] : [], [
        part(q ? 'Gate decisions' : 'Gate decisions that blocked', gate, gateRows, 'No gate decision blocked.'),
        part('Risk denials', res[3], riskRows, 'No reservation was denied.'),
        part(q ? 'Heimdall checks' : 'Heimdall checks that refused', res[4], heimdallRows, 'No Heimdall check refused.'),
        part(q ? 'Tripwire evaluations' : 'Tripwires that fired', res[5], tripwireRows, 'No tripwire fired.'),
      ]));
      if (traced) { traced.scrollIntoView(); traced.firstChild.focus(); }
    });
}
`;

@Injectable()
@ConsolePanel(GATE, PAGE)
export class DecisionsConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
