import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { RISK_GUARD } from './risk-guard.lever.js';

const PAGE = { slug: 'risk', title: 'Risk today', order: 20 };

/**
 * Risk today: each engine's use of its caps as gauges, open and expired reservations, recent denials;
 * for an operator, each engine's caps and enforcement mode edited in place (only the changed fields
 * are sent), the engine disabled or re-enabled, a reservation voided. An answer 202 (the two-person
 * rule on a re-enable, a change request on a cap) is shown pending by the shell, never as done.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, when, num, fmt, pill, empty, table, section, items, actionForm, fieldsForm, afterAction, content, G, CAN_ACT } = kit;
  var CAPS = [['max_daily_exposure', 'Daily exposure cap', 'decimal'], ['max_open_risk', 'Open risk cap', 'decimal'], ['max_daily_loss', 'Daily loss cap', 'decimal'], ['max_actions_per_day', 'Actions per day', 'integer']];
  /** A cap as the API takes it: empty is no cap (null), an integer field a number when it is one. */
  function capValue(type, v) { return v === '' ? null : type === 'integer' && /^[0-9]+$/.test(v) ? Number(v) : v; }
  function editCaps(e) {
    var p = e.policy || {};
    var fields = CAPS.map(function (c) { return { name: c[0], label: c[1], type: c[2], value: p[c[0]], hint: 'empty: no cap' }; }).concat([
      { name: 'enforcement_mode', label: 'Enforcement', type: 'select', value: p.enforcement_mode || 'enforce', options: [['enforce', 'Enforce (deny over a cap)'], ['observe', 'Observe (allow, record the would-be denial)']] },
    ]);
    return h('details', { class: 'edit-box', 'data-key': 'caps-' + e.engine }, [h('summary', { text: 'Edit caps and enforcement' }), fieldsForm({
      label: 'Caps of ' + e.engine, button: 'Save caps', reason: 'required', fields: fields,
      run: function (v, reason, changed) {
        if (!changed.length) { kit.say('info', 'Nothing changed for ' + e.engine + '.'); return null; }
        var body = { engine: e.engine, reason: reason };
        changed.forEach(function (name) { var c = CAPS.filter(function (x) { return x[0] === name; })[0]; body[name] = c ? capValue(c[2], v[name]) : v[name]; });
        return api('POST', G + '/risk/policies/upsert', body);
      },
      done: afterAction(e.engine + ' caps saved.', e.engine + '’s caps'),
    })]);
  }
  function switchForm(e) {
    var p = e.policy || {};
    if (p.enabled === false) {
      return actionForm({ label: 'Re-enable ' + e.engine, button: 'Re-enable', kind: 'primary', reasonLabel: 'Reason (required)',
        run: function (reason) { return api('POST', G + '/risk/policies/upsert', { engine: e.engine, enabled: true, reason: reason }); },
        done: afterAction(e.engine + ' re-enabled.', 're-enabling ' + e.engine) });
    }
    return actionForm({ label: 'Disable ' + e.engine, button: 'Disable', kind: 'danger', reasonLabel: 'Reason to disable (required)',
      run: function (reason) { return api('POST', G + '/risk/policies/upsert', { engine: e.engine, enabled: false, disabled_reason: reason, reason: reason }); },
      done: afterAction(e.engine + ' disabled.', 'disabling ' + e.engine) });
  }
  function voidForm(x) {
    return actionForm({ label: 'Void reservation ' + x.correlation_id, button: 'Void', kind: 'secondary', reasonLabel: 'Reason to void (required)',
      run: function (reason) { return api('POST', G + '/risk/void', { reservation_id: x.id, reason: reason }); },
      done: afterAction('Reservation ' + x.correlation_id + ' voided.', 'voiding ' + x.correlation_id) });
  }
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
      return h('div', { class: 'card', id: 'engine-' + e.engine }, [
        h('h2', {}, [e.engine, ' ', p.enabled === false ? pill('bad', 'Disabled') : pill('ok', 'Enabled'), ' ', p.enforcement_mode === 'observe' ? pill('warn', 'Observe') : pill('info', 'Enforce')]),
        p.enabled === false && p.disabled_reason ? h('p', { class: 'muted', text: p.disabled_reason }) : null,
        gauge('Exposure', u.exposure_used, p.max_daily_exposure),
        gauge('Open risk', u.open_risk_reserved, p.max_open_risk),
        gauge('Realized loss', u.realized_loss, p.max_daily_loss),
        gauge('Actions', u.actions_count, p.max_actions_per_day),
        h('p', { class: 'muted foot', text: (e.denials_count || 0) + ' denied today · ' + ((e.open_reservations || {}).count || 0) + ' open · ' + ((e.expired_reservations || {}).count || 0) + ' expired reservations' }),
        CAN_ACT && (e.engine !== 'GLOBAL' || p.enabled === false) ? switchForm(e) : null,
        CAN_ACT ? editCaps(e) : null,
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
      ].concat(CAN_ACT ? [{ label: 'Action', cell: function (x) { return h('div', { class: 'row-actions' }, voidForm(x)); } }] : []), reservations, { key: function (x) { return x.id; } })] : [empty('No reservation holds open risk.')]),
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
