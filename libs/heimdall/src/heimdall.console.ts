import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { HEIMDALL } from './heimdall.lever.js';

const PAGE = { slug: 'heimdall', title: 'Heimdall', order: 40 };

/**
 * Heimdall: today's scorecard per domain, each gate with its actual, required and distance; for an
 * operator, each domain's gate thresholds and prod_use_enabled edited in place (only what changed is
 * sent; an answer 202, a change request, is shown pending by the shell).
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, when, pct, show, pill, empty, table, section, items, fieldsForm, afterAction, content, G, CAN_ACT } = kit;
  var NUMS = { min_trials: true, window_days: true };
  function editGates(p) {
    return h('details', { class: 'edit-box', 'data-key': 'gates-' + p.domain }, [h('summary', { text: 'Edit gates' }), fieldsForm({
      label: 'Gates of ' + p.domain, button: 'Save gates', reason: 'required',
      fields: [
        { name: 'prod_use_enabled', label: 'Production use enabled', type: 'checkbox', value: p.prod_use_enabled },
        { name: 'min_confidence', label: 'Min confidence', type: 'decimal', value: p.min_confidence, required: true, hint: '0 to 1' },
        { name: 'min_trials', label: 'Min trials', type: 'integer', value: p.min_trials, required: true },
        { name: 'min_success_rate', label: 'Min success rate', type: 'decimal', value: p.min_success_rate, required: true, hint: '0 to 1' },
        { name: 'window_days', label: 'Window (days)', type: 'integer', value: p.window_days, required: true },
      ],
      run: function (v, reason, changed) {
        if (!changed.length) { say('info', 'Nothing changed for ' + p.domain + '.'); return null; }
        var body = { domain: p.domain, reason: reason };
        changed.forEach(function (k) { body[k] = NUMS[k] && /^[0-9]+$/.test(v[k]) ? Number(v[k]) : v[k]; });
        return api('POST', G + '/heimdall/policies/upsert', body);
      },
      done: afterAction('Gates of ' + p.domain + ' saved.', 'the gates of ' + p.domain),
    })]);
  }
  return Promise.all([api('GET', G + '/heimdall/scorecard/today'), api('GET', G + '/heimdall/policies')]).then(function (rs) {
    var r = rs[0];
    var policies = {};
    items(rs[1].body).forEach(function (p) { policies[p.domain] = p; });
    var sc = r.body || {};
    var domains = sc.domains || [];
    content.replaceChildren(
      h('p', { class: 'muted' }, ['UTC day ' + (sc.day || '') + ' · as of ' + when(sc.as_of) + ' · kill switch ', sc.kill_switch_engaged ? pill('bad', 'Engaged') : pill('ok', 'Released')]),
      domains.length ? h('div', { class: 'grid two' }, domains.map(function (d) {
        return section(d.domain, [
          h('p', { class: 'summary' }, [d.prod_eligible ? pill('ok', 'Production eligible') : pill('warn', 'Not eligible'), ' ', h('span', { class: 'muted', text: d.prod_eligible ? 'every gate passes' : 'first failing gate: ' + d.gate_reason })]),
          h('dl', { class: 'kv' }, [
            h('dt', { text: 'Window' }), h('dd', { text: d.window_from + ' → ' + d.window_to + ' (' + d.window_days + ' days)' }),
            h('dt', { text: 'Trials' }), h('dd', { text: d.trials + ' (' + d.successes + ' successes; today ' + ((d.today || {}).trials || 0) + ')' }),
            h('dt', { text: 'Success rate' }), h('dd', { text: pct(d.success_rate) }),
            h('dt', { text: 'Average confidence' }), h('dd', { text: d.avg_confidence === null ? '—' : Number(d.avg_confidence).toFixed(3) }),
          ]),
          table('Gates for ' + d.domain, [
            { label: 'Gate', cell: function (g) { return h('code', { text: g.gate }); } },
            { label: 'State', cell: function (g) { return g.passed ? pill('ok', 'Passed') : pill('bad', 'Not yet'); } },
            { label: 'Actual / required', cell: function (g) { return show(g.actual) + ' / ' + show(g.required); } },
            { label: 'Distance to the gate', cell: function (g) { return g.distance || (g.passed ? '—' : g.reason_code); } },
          ], d.gates || []),
          CAN_ACT && policies[d.domain] ? editGates(policies[d.domain]) : null,
        ]);
      })) : section('Scorecards', [empty('No Heimdall policy yet.')]),
    );
  });
}
`;

@Injectable()
@ConsolePanel(HEIMDALL, PAGE)
export class HeimdallConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
