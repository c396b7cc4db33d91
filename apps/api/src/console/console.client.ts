/**
 * The console's script (served from /console/assets/console.js): it reads the JSON API with the
 * session cookie, sends the CSRF token on every action, and builds the DOM with textContent only
 * (no HTML from data). Plain ES2017, no dependency.
 */
export const CONSOLE_JS = String.raw`
(function () {
  'use strict';
  function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.getAttribute('content') || '' : ''; }
  var CSRF = meta('warden-csrf');
  var ME = meta('warden-principal');
  var ROLE = meta('warden-role');
  var ROLES = ['viewer', 'engine', 'operator', 'admin'];
  var CAN_ACT = ROLES.indexOf(ROLE) >= ROLES.indexOf('operator');
  var content = document.getElementById('content');
  var notice = document.getElementById('notice');
  var G = '/api/governance';

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') el.textContent = String(v);
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
    [].concat(children === undefined ? [] : children).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
    return el;
  }
  function api(method, path, body) {
    var headers = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = CSRF;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 401) { location.assign('/console/sign-in?expired=1'); throw new Error('session ended'); }
        return res.text().then(function (t) {
          var b = null;
          try { b = t ? JSON.parse(t) : null; } catch (e) { b = t; }
          return { status: res.status, ok: res.ok, body: b };
        });
      });
  }
  function say(kind, text) { notice.className = 'notice ' + kind; notice.textContent = text; }
  function problem(r) { return r.body && r.body.error ? r.body.error + ': ' + (r.body.message || '') : 'HTTP ' + r.status; }
  function when(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 19) + ' UTC' : '—'; }
  function num(v) { return v === null || v === undefined ? NaN : Number(v); }
  function fmt(v) { var n = num(v); return isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 2 }); }
  function pct(v) { return v === null || v === undefined ? '—' : (Number(v) * 100).toFixed(1) + '%'; }
  function show(v) { return v === null || v === undefined ? '—' : typeof v === 'number' ? fmt(Math.round(v * 1000) / 1000) : String(v); }
  function pill(kind, text) { return h('span', { class: 'pill ' + kind, text: text }); }
  function empty(text) { return h('p', { class: 'empty', text: text }); }
  function table(caption, cols, rows) {
    return h('table', {}, [
      h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, cols.map(function (c) { return h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label }); }))),
      h('tbody', {}, rows.map(function (r) {
        return h('tr', {}, cols.map(function (c) { var v = c.cell(r); return h('td', { class: c.num ? 'num' : null }, v); }));
      })),
    ]);
  }
  function section(title, children) { return h('section', { class: 'card' }, [h('h2', { text: title })].concat(children)); }
  function items(body) { return Array.isArray(body) ? body : body && Array.isArray(body.items) ? body.items : []; }

  /** A reason field and a button; run(reason) returns the API promise. */
  function actionForm(o) {
    var input = h('input', { type: 'text', name: 'reason', required: o.reasonRequired !== false, maxlength: 500, placeholder: o.placeholder || '' });
    var button = h('button', { type: 'submit', class: o.kind || 'primary', text: o.button });
    var form = h('form', { class: 'act', 'aria-label': o.label }, [h('label', {}, [o.reasonLabel || 'Reason', input]), button]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      button.disabled = true;
      o.run(input.value.trim()).then(function (r) { button.disabled = false; o.done(r); }, function (e) { button.disabled = false; say('error', String(e.message || e)); });
    });
    return form;
  }
  function afterAction(okText) {
    return function (r) {
      if (r.ok) { say(r.status === 202 ? 'info' : 'ok', typeof okText === 'function' ? okText(r) : okText); load(); }
      else say('error', 'Refused — ' + problem(r));
    };
  }

  function jobHealth(text) {
    var rows = [];
    String(text || '').split('\n').forEach(function (line) {
      var m = /^warden_job_last_success_timestamp_seconds\{job="([^"]+)"\} (\S+)$/.exec(line);
      if (m) rows.push({ job: m[1], at: Number(m[2]) });
    });
    return rows;
  }

  var pages = {
    status: function () {
      return Promise.all([api('GET', G + '/go-live/state'), api('GET', '/metrics'), api('GET', G + '/approvals?status=pending&limit=100')]).then(function (r) {
        var s = r[0].body || {};
        var jobs = jobHealth(r[1].body);
        var pending = items(r[2].body).length;
        var kill = h('div', { class: 'card', id: 'kill-switch' }, [
          h('h2', { text: 'Kill switch' }),
          h('p', { class: 'big' }, s.kill_switch_engaged ? pill('bad', 'Engaged') : pill('ok', 'Released')),
          h('p', { class: 'muted', text: s.kill_switch_engaged ? 'Every PROD_EXEC request is refused.' : 'Production execution is allowed by the kill switch.' }),
        ]);
        if (CAN_ACT && !s.kill_switch_engaged) {
          kill.appendChild(actionForm({ label: 'Engage the kill switch', button: 'Engage kill switch', kind: 'danger', reasonLabel: 'Reason (required)',
            run: function (reason) { return api('POST', G + '/go-live/kill-switch/engage', { reason: reason }); }, done: afterAction('Kill switch engaged.') }));
        }
        if (CAN_ACT && s.kill_switch_engaged) {
          kill.appendChild(actionForm({ label: 'Release the kill switch', button: 'Release kill switch', kind: 'primary', reasonLabel: 'Reason (required)',
            run: function (reason) { return api('POST', G + '/go-live/kill-switch/release', { reason: reason }); },
            done: afterAction(function (r) {
              return r.status === 202 ? 'Approval requested: a second operator must approve the release' + (r.body && r.body.approval_id ? ' (request ' + r.body.approval_id + ').' : '.') : 'Kill switch released.';
            }) }));
        }
        content.replaceChildren(
          h('div', { class: 'grid' }, [
            h('div', { class: 'card' }, [h('h2', { text: 'Go-live' }), h('p', { class: 'big' }, s.go_live_enabled ? pill('ok', 'Enabled') : pill('warn', 'Disabled')),
              h('dl', { class: 'kv' }, [h('dt', { text: 'Changed by' }), h('dd', { text: s.changed_by || '—' }), h('dt', { text: 'At' }), h('dd', { text: when(s.updated_at) }), h('dt', { text: 'Reason' }), h('dd', { text: s.reason || '—' })])]),
            kill,
            h('div', { class: 'card' }, [h('h2', { text: 'Enforcement' }), h('p', { class: 'big' }, s.enforced ? pill('info', 'Enforced') : pill('warn', 'Not enforced')),
              h('p', { class: 'muted', text: s.enforced ? 'This instance refuses requests while go-live is disabled.' : 'Go-live is reported, not enforced, on this instance (the kill switch always is).' })]),
            h('div', { class: 'card' }, [h('h2', { text: 'Approvals' }), h('p', { class: 'big', text: String(pending) }), h('p', {}, h('a', { href: '/console/approvals', text: pending === 1 ? '1 request waits for a decision' : pending + ' requests wait for a decision' }))]),
          ]),
          section('Job health', jobs.length ? [table('Scheduled jobs', [
            { label: 'Job', cell: function (j) { return h('code', { text: j.job }); } },
            { label: 'State', cell: function (j) { return j.at > 0 ? pill('ok', 'Ran') : pill('warn', 'Never succeeded'); } },
            { label: 'Last success', cell: function (j) { return j.at > 0 ? when(new Date(j.at * 1000).toISOString()) : '—'; } },
          ], jobs)] : [empty('No scheduled job has reported yet.')]),
        );
      });
    },

    risk: function () {
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
    },

    tripwires: function () {
      return Promise.all([api('GET', G + '/regression/state'), api('GET', G + '/regression/events?limit=20'), api('GET', G + '/risk/policies')]).then(function (r) {
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
          section('Disabled engines', throttled.length ? [table('Engines whose risk policy is disabled', [
            { label: 'Engine', cell: function (p) { return h('strong', { text: p.engine }); } },
            { label: 'Why', cell: function (p) { return p.disabled_reason || '—'; } },
            { label: 'Tripwire target', cell: function (p) { return targets[p.engine] ? pill('warn', 'Yes') : 'No'; } },
            { label: 'Since', cell: function (p) { return when(p.updated_at) + ' by ' + p.updated_by; } },
            { label: 'Action', cell: function (p) {
              return CAN_ACT ? actionForm({ label: 'Re-enable ' + p.engine, button: 'Re-enable', kind: 'primary', reasonLabel: 'Reason (required)',
                run: function (reason) { return api('POST', G + '/risk/policies/upsert', { engine: p.engine, enabled: true, reason: reason }); },
                done: afterAction(p.engine + ' re-enabled.') }) : '—';
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
    },

    heimdall: function () {
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
    },

    approvals: function () {
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
    },

    reviews: function () {
      return api('GET', G + '/reviews').then(function (r) {
        var list = r.status === 404 ? [] : Array.isArray(r.body) ? r.body : r.body && (r.body.items || r.body.reports) || [];
        if (!r.ok && r.status !== 404) throw new Error(problem(r));
        content.replaceChildren(section('Weekly reviews', list.length ? [h('ul', {}, list.map(function (x) {
          var week = typeof x === 'string' ? x : x.week;
          return h('li', {}, [h('a', { href: G + '/reviews/' + encodeURIComponent(week) + '.html', text: 'Week ' + week }), x.generated_at ? h('span', { class: 'muted', text: ' · generated ' + when(x.generated_at) }) : null]);
        }))] : [empty('No reports yet.')]));
      });
    },
  };

  function load() {
    var page = pages[document.body.getAttribute('data-page')];
    if (!page) return;
    content.setAttribute('aria-busy', 'true');
    page().then(function () { content.setAttribute('aria-busy', 'false'); }, function (e) {
      content.setAttribute('aria-busy', 'false');
      say('error', 'Could not load this page: ' + String(e && e.message || e));
    });
  }
  load();
})();
`;
