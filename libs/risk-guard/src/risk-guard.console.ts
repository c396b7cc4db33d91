import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { RISK_GUARD } from './risk-guard.lever.js';

const PAGE = { slug: 'risk', title: 'Risk today', order: 20 };

/**
 * Risk today: each engine's use of its caps as gauges, open and expired reservations, recent denials.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, when, num, fmt, pill, empty, table, section, items, content, G } = kit;
  return Promise.all([api('GET', G + '/risk/ledger/today'), api('GET', G + '/risk/events?outcome=denied&limit=25')]).then(function (r) {
    var ledger = r[0].body || {};
    var engines = ledger.engines || [];
    function gauge(label, used, cap) {
      var u = num(used); var c = num(cap);
      var capped = !isNaN(c);
      var max = c > 0 ? c : 1;
      var id = 'g' + Math.random().toString(36).slice(2);
      return h('div', { class: 'gauge' }, [
        h('div', { class: 'line' }, [
          h('span', { id: id, text: label }),
          h('span', { class: 'val', text: capped ? fmt(u) + ' of ' + fmt(c) + (c > 0 ? ' · ' + Math.round((u / c) * 100) + '%' : '') : fmt(u) + ' · no cap' }),
        ]),
        capped ? h('meter', { min: 0, max: max, value: Math.min(u, max), low: max * 0.7, high: max * 0.9, optimum: 0, 'aria-labelledby': id }) : h('span', { class: 'nocap', 'aria-hidden': 'true' }),
      ]);
    }
    var cards = engines.map(function (e) {
      var p = e.policy || {}; var u = e.usage || {};
      return h('div', { class: 'card' }, [
        h('h2', {}, [e.engine, ' ', p.enabled === false ? pill('bad', 'Disabled') : pill('ok', 'Enabled'), ' ', p.enforcement_mode === 'observe' ? pill('warn', 'Observe') : pill('info', 'Enforce')]),
        p.enabled === false && p.disabled_reason ? h('p', { class: 'muted', text: p.disabled_reason }) : null,
        gauge('Exposure', u.exposure_used, p.max_daily_exposure),
        gauge('Open risk', u.open_risk_reserved, p.max_open_risk),
        gauge('Realized loss', u.realized_loss, p.max_daily_loss),
        gauge('Actions', u.actions_count, p.max_actions_per_day),
        h('p', { class: 'muted foot', text: (e.denials_count || 0) + ' denied today · ' + ((e.open_reservations || {}).count || 0) + ' open · ' + ((e.expired_reservations || {}).count || 0) + ' expired reservations' }),
      ]);
    });
    var reservations = ledger.open_reservations || [];
    var denials = items(r[1].body);
    content.replaceChildren(
      h('p', { class: 'muted', text: 'UTC day ' + (ledger.day || '') + '. Bars show today\u2019s usage against each cap.' }),
      engines.length ? h('div', { class: 'grid wide' }, cards) : section('Engines', [empty('No engine has a risk policy yet.')]),
      section('Open and expired reservations', reservations.length ? [table('Reservations holding open risk', [
        { label: 'Engine', cell: function (x) { return x.engine; } },
        { label: 'Correlation id', cell: function (x) { return h('code', { text: x.correlation_id }); } },
        { label: 'Amount', num: true, cell: function (x) { return fmt(x.amount); } },
        { label: 'Status', cell: function (x) { return x.status === 'expired' ? pill('warn', 'Expired') : pill('info', 'Reserved'); } },
        { label: 'Reserved', cell: function (x) { return when(x.reserved_at); } },
        { label: 'Expires', cell: function (x) { return when(x.expires_at); } },
      ], reservations)] : [empty('No reservation holds open risk.')]),
      section('Recent denials', denials.length ? [table('Recent risk denials', [
        { label: 'At', cell: function (x) { return when(x.at); } },
        { label: 'Engine', cell: function (x) { return x.engine; } },
        { label: 'Reason codes', cell: function (x) { return (x.reason_codes || []).map(function (c) { return pill('bad', c); }); } },
        { label: 'Reason', cell: function (x) { return x.reason || '—'; } },
        { label: 'Amount', num: true, cell: function (x) { return fmt(x.amount); } },
        { label: 'By', cell: function (x) { return x.principal; } },
      ], denials)] : [empty('No denial recorded.')]),
    );
  });
}
`;

@Injectable()
@ConsolePanel(RISK_GUARD, PAGE)
export class RiskGuardConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
