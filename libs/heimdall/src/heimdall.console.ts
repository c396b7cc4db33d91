import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { HEIMDALL } from './heimdall.lever.js';

const PAGE = { slug: 'heimdall', title: 'Heimdall', order: 40 };

/**
 * Heimdall: today's scorecard per domain, each gate with its actual, required and distance.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, when, pct, show, pill, empty, table, section, content, G } = kit;
  return api('GET', G + '/heimdall/scorecard/today').then(function (r) {
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
