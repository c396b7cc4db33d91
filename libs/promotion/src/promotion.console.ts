import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { PROMOTION } from './promotion.lever.js';

const PAGE = { slug: 'promotion', title: 'Promotion', order: 45 };

/**
 * Promotion, the promotion review's page: the Friday verdicts (each filed as an approval request:
 * nothing is promoted silently), the on-demand evaluations, the decisions that used a signed
 * override, and the active rule file; operators put a new rule file (compiled by the server first;
 * with change requests on, a 202 shows pending with its approval). Client code (plain ES2017), DOM
 * from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, when, pill, empty, table, section, items, problem, content, G, CAN_ACT, afterAction, say } = kit;
  var verdictPill = function (v) { return pill(v === 'promote' ? 'ok' : v === 'demote' || v === 'no_go' ? 'bad' : 'warn', String(v).replace(/_/g, ' ')); };
  var codes = function (d) { return (d.reason_codes || []).join(', ') || '—'; };
  var short = function (x) { return x ? String(x).slice(0, 12) : '—'; };
  var cols = function (extra) {
    return [
      { label: 'Decided', cell: function (d) { return when(d.decided_at); } },
      { label: 'Domain', cell: function (d) { return d.domain ? h('strong', { text: d.domain }) : h('span', { class: 'muted', text: '(no domain)' }); } },
      { label: 'Verdict', cell: function (d) { return verdictPill(d.verdict); } },
      { label: 'Reasons', cell: codes },
    ].concat(extra);
  };
  /** A new rule file (menace's YAML or JSON list), put against the version shown: refused if it changed meanwhile. */
  function rulesForm(rules) {
    var source = h('textarea', { name: 'source', id: 'rules-source', rows: 10, cols: 80, required: true, spellcheck: 'false', class: 'mono' });
    source.value = rules.source || '';
    var reason = h('input', { type: 'text', name: 'reason', id: 'rules-reason', required: true, maxlength: 500 });
    var button = h('button', { type: 'submit', class: 'primary', text: 'Put rule file' });
    var form = h('form', { class: 'edit', 'aria-label': 'Put a new rule file' }, [
      h('div', { class: 'field' }, [h('label', { for: 'rules-source', text: 'Rule file (YAML or JSON list of {decision, condition, reason_code})' }), source]),
      h('div', { class: 'field' }, [h('label', { for: 'rules-reason', text: 'Reason (required)' }), reason]),
      h('div', { class: 'buttons' }, button),
    ]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      button.disabled = true;
      api('PUT', G + '/heimdall/promotion/rules', { source: source.value, reason: reason.value.trim(), base_version: rules.control_version })
        .then(afterAction('Rule file put.', 'the rule file'), function (e) { say('error', String(e.message || e)); })
        .then(function () { button.disabled = false; });
    });
    return h('details', { 'data-key': 'rules-edit' }, [h('summary', { text: 'Put a new rule file' }), form]);
  }

  return Promise.all([api('GET', G + '/heimdall/promotion/decisions?limit=100'), api('GET', G + '/heimdall/promotion/rules')]).then(function (r) {
    if (!r[0].ok) throw new Error(problem(r[0]));
    var all = items(r[0].body);
    var friday = all.filter(function (d) { return d.source === 'friday'; });
    var others = all.filter(function (d) { return d.source !== 'friday'; });
    var overridden = all.filter(function (d) { return d.override_digest; });
    var weeks = {};
    friday.forEach(function (d) { weeks[d.week] = (weeks[d.week] || 0) + 1; });
    var rules = r[1].ok ? r[1].body : null;
    content.replaceChildren(
      section('Friday verdicts', [
        h('p', { class: 'muted' }, ['Each Friday the review evaluates every Heimdall domain and files each verdict as an approval request: ', h('a', { href: '/console/approvals', text: 'decide them on Approvals' }), '.']),
        friday.length ? table('Friday verdicts, newest first', cols([
          { label: 'Friday', cell: function (d) { return d.week || '—'; } },
          { label: 'Rules', cell: function (d) { return h('code', { text: short(d.rules_digest) }); } },
        ]), friday) : empty('No Friday review has run yet.'),
      ]),
      section('Overrides used', overridden.length ? [table('Decisions that used a signed override', cols([
        { label: 'Source', cell: function (d) { return d.source; } },
        { label: 'By', cell: function (d) { return d.decided_by; } },
        { label: 'Override', cell: function (d) { return h('code', { text: short(d.override_digest) }); } },
      ]), overridden)] : [empty('No signed override was used.')]),
      section('On-demand evaluations', others.length ? [table('Evaluations through the API', cols([
        { label: 'By', cell: function (d) { return d.decided_by; } },
      ]), others.slice(0, 25))] : [empty('None.')]),
      section('Rules', rules ? [
        h('dl', { class: 'kv' }, [
          h('dt', { text: 'Version' }), h('dd', { text: rules.version || 'built-in rules only' }),
          h('dt', { text: 'Digest' }), h('dd', {}, h('code', { text: short(rules.digest) })),
          h('dt', { text: 'Rules in the file' }), h('dd', { text: String(rules.rule_count) }),
          h('dt', { text: 'Put' }), h('dd', { text: rules.created_at ? when(rules.created_at) + ' by ' + rules.created_by + (rules.reason ? ' — ' + rules.reason : '') : '—' }),
        ]),
        rules.source ? h('pre', { class: 'mono', 'aria-label': 'The active rule file', text: rules.source }) : empty('No rule file: the built-in thresholds and vetoes alone decide.'),
      ].concat(CAN_ACT ? [rulesForm(rules)] : []) : [empty('Could not read the rules: ' + problem(r[1]))]),
    );
  });
}
`;

@Injectable()
@ConsolePanel(PROMOTION, PAGE)
export class PromotionConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
