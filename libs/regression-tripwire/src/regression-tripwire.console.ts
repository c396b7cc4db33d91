import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { REGRESSION_TRIPWIRE } from './regression-tripwire.lever.js';

const PAGE = { slug: 'tripwires', title: 'Tripwires', order: 30 };

/**
 * Tripwires: the state per domain and metric, the engines a THROTTLE disabled (re-enabled here through
 * the risk policy route, as docs/regression-tripwire.md says) and the recent evaluations and actions;
 * for an operator, each policy edited (enabled, thresholds, action) and a baseline reset. An answer
 * 202 (the two-person rule, a change request) is shown pending by the shell, never as done.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, when, pct, pill, empty, table, section, items, actionForm, fieldsForm, afterAction, content, G, CAN_ACT } = kit;
  var NUMS = { window_events: 'integer', baseline_events: 'integer', min_events: 'integer', max_drop_fraction: 'decimal', alpha: 'decimal' };
  function editPolicy(p) {
    var name = p.domain + ' ' + p.metric;
    return h('details', { class: 'edit-box', 'data-key': 'tw-' + name }, [h('summary', { text: 'Edit' }), fieldsForm({
      label: 'Tripwire ' + name, button: 'Save tripwire', reason: 'required',
      fields: [
        { name: 'enabled', label: 'Enabled', type: 'checkbox', value: p.enabled },
        { name: 'max_drop_fraction', label: 'Max drop (fraction)', type: 'decimal', value: p.max_drop_fraction, required: true },
        { name: 'window_events', label: 'Window events', type: 'integer', value: p.window_events, required: true },
        { name: 'baseline_events', label: 'Baseline events', type: 'integer', value: p.baseline_events, required: true },
        { name: 'min_events', label: 'Min events', type: 'integer', value: p.min_events, required: true },
        { name: 'alpha', label: 'Alpha', type: 'decimal', value: p.alpha, hint: 'empty: plain threshold' },
        { name: 'action', label: 'Action', type: 'select', value: p.action, options: [['THROTTLE', 'THROTTLE (disable the engine)'], ['KILL_SWITCH', 'KILL_SWITCH'], ['ALERT', 'ALERT (record only)']] },
        { name: 'target_engine', label: 'Target engine', type: 'text', value: p.target_engine, required: true },
      ],
      run: function (v, reason, changed) {
        if (!changed.length) { say('info', 'Nothing changed for ' + name + '.'); return null; }
        var body = { domain: p.domain, metric: p.metric, reason: reason };
        changed.forEach(function (k) {
          var x = v[k];
          body[k] = NUMS[k] ? (x === '' ? null : isNaN(Number(x)) ? x : Number(x)) : x;
        });
        return api('POST', G + '/regression/policies/upsert', body);
      },
      done: afterAction('Tripwire ' + name + ' saved.', 'tripwire ' + name),
    })]);
  }
  function resetForm(p) {
    return actionForm({ label: 'Reset the baseline of ' + p.domain + ' ' + p.metric, button: 'Reset baseline', kind: 'secondary', reasonLabel: 'Reason (required)',
      run: function (reason) { return api('POST', G + '/regression/baseline/reset', { domain: p.domain, metric: p.metric, reason: reason }); },
      done: afterAction('Baseline of ' + p.domain + ' ' + p.metric + ' reset.', 'the baseline reset') });
  }
  return Promise.all([api('GET', G + '/regression/state'), api('GET', G + '/regression/events?limit=20'), api('GET', G + '/risk/policies'), api('GET', G + '/regression/policies')]).then(function (r) {
    var policies = items(r[3].body);
    var states = items(r[0].body);
    var events = items(r[1].body);
    var targets = {};
    states.forEach(function (s) { if (s.action === 'THROTTLE') targets[s.target_engine] = true; });
    var throttled = items(r[2].body).filter(function (p) { return p.enabled === false; });
    var statusPill = function (s) {
      return s === 'triggered' ? pill('bad', 'Triggered') : s === 'ok' ? pill('ok', 'OK') : s === 'disabled' ? pill('warn', 'Disabled') : pill('info', String(s).replace(/_/g, ' '));
    };
    content.replaceChildren(
      section('State per domain and metric', states.length ? [table('Tripwire state', [
        { label: 'Domain', cell: function (s) { return s.domain; } },
        { label: 'Metric', cell: function (s) { return h('code', { text: s.metric }); } },
        { label: 'Status', cell: function (s) { return statusPill(s.status); } },
        { label: 'Baseline', num: true, cell: function (s) { return s.baseline === null ? '—' : pct(s.baseline); } },
        { label: 'Current', num: true, cell: function (s) { return s.current === null ? '—' : pct(s.current); } },
        { label: 'Action', cell: function (s) { return s.action + ' → ' + s.target_engine + (s.action_status && s.action_status !== 'none' ? ' (' + s.action_status + ')' : ''); } },
        { label: 'Fired', num: true, cell: function (s) { return String(s.trigger_count); } },
        { label: 'Last evaluated', cell: function (s) { return when(s.last_evaluated_at); } },
      ], states)] : [empty('No tripwire policy yet.')]),
      section('Policies', policies.length ? [table('Tripwire policies', [
        { label: 'Domain / metric', cell: function (p) { return [h('strong', { text: p.domain }), ' ', h('code', { text: p.metric })]; } },
        { label: 'State', cell: function (p) { return p.enabled ? pill('ok', 'Enabled') : pill('warn', 'Disabled'); } },
        { label: 'Trigger', cell: function (p) { return 'drop ≥ ' + pct(p.max_drop_fraction) + (p.alpha === null ? '' : ', α ' + p.alpha); } },
        { label: 'Windows', cell: function (p) { return p.window_events + ' vs ' + p.baseline_events + ' (min ' + p.min_events + ')'; } },
        { label: 'Action', cell: function (p) { return p.action + ' → ' + p.target_engine; } },
        { label: 'Changed', cell: function (p) { return when(p.updated_at) + ' by ' + p.updated_by; } },
      ].concat(CAN_ACT ? [{ label: 'Operator', cell: function (p) { return h('div', { class: 'row-actions stack' }, [resetForm(p), editPolicy(p)]); } }] : []), policies,
      { key: function (p) { return p.domain + '/' + p.metric; } })] : [empty('No tripwire policy yet.')]),
      section('Disabled engines', throttled.length ? [table('Engines whose risk policy is disabled', [
        { label: 'Engine', cell: function (p) { return h('strong', { text: p.engine }); } },
        { label: 'Why', cell: function (p) { return p.disabled_reason || '—'; } },
        { label: 'Tripwire target', cell: function (p) { return targets[p.engine] ? pill('warn', 'Yes') : 'No'; } },
        { label: 'Since', cell: function (p) { return when(p.updated_at) + ' by ' + p.updated_by; } },
        { label: 'Action', cell: function (p) {
          return CAN_ACT ? actionForm({ label: 'Re-enable ' + p.engine, button: 'Re-enable', kind: 'primary', reasonLabel: 'Reason (required)',
            run: function (reason) { return api('POST', G + '/risk/policies/upsert', { engine: p.engine, enabled: true, reason: reason }); },
            done: afterAction(p.engine + ' re-enabled.', 're-enabling ' + p.engine) }) : '—';
        } },
      ], throttled)] : [empty('Every engine with a risk policy is enabled.')]),
      section('Recent evaluations and actions', events.length ? [table('Recent tripwire events', [
        { label: 'At', cell: function (e) { return when(e.at); } },
        { label: 'Domain', cell: function (e) { return e.domain; } },
        { label: 'Metric', cell: function (e) { return h('code', { text: e.metric }); } },
        { label: 'Event', cell: function (e) { return e.type; } },
        { label: 'Status', cell: function (e) { return e.status ? statusPill(e.status) : '—'; } },
        { label: 'Action', cell: function (e) { return e.action || '—'; } },
        { label: 'By', cell: function (e) { return e.principal; } },
      ], events)] : [empty('No evaluation yet.')]),
    );
  });
}
`;

@Injectable()
@ConsolePanel(REGRESSION_TRIPWIRE, PAGE)
export class RegressionTripwireConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
