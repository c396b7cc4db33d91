import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript } from '#platform';
import { GATE } from './gate.lever.js';

const PAGE = { slug: 'gate', title: 'Gate', order: 35 };

/**
 * Gate, the gate's page: the stored policies with their versions, the active one and its mode, the
 * week's figures (GET /gate/stats) and the recent decisions, each opening to its reasons and trace.
 * Operators upload a version (YAML), read its line diff against the active one (computed here),
 * simulate it against recent traffic (POST /gate/policies/{name}/simulate: writes nothing), activate
 * it and set the mode. An act answered 202 (a change request: another person approves) is shown as
 * pending with its approval, never as done. `window.WardenGatePage` keeps the candidate in view and
 * the pending requests across the shell's redraws. Client code (plain ES2017), DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  // Survives the shell's redraws (it calls this function again after every act): the candidate in
  // view and the acts still waiting for a second person.
  var state = window.WardenGatePage || (window.WardenGatePage = { focus: null, pending: [] });
  var pending = state.pending;
  var MODES = ['observe', 'dry_run', 'enforce'];

  /** Line diff (longest common subsequence): [{op: ' ' | '+' | '-', line}]; null when too large to diff here. */
  function lineDiff(a, b) {
    var x = String(a || '').replace(/\n$/, '').split('\n');
    var y = String(b || '').replace(/\n$/, '').split('\n');
    if (x.length * y.length > 4000000) return null;
    var n = x.length, m = y.length, L = [];
    for (var i = 0; i <= n; i++) L.push(new Uint16Array(m + 1));
    for (i = n - 1; i >= 0; i--) for (var j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    var out = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) { out.push({ op: ' ', line: x[i] }); i++; j++; }
      else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { out.push({ op: '+', line: y[j] }); j++; }
      else { out.push({ op: '-', line: x[i] }); i++; }
    }
    return out;
  }

  {
    const { h, api, when, pct, pill, empty, table, section, items, say, problem, afterAction, content, G, CAN_ACT } = kit;
    var short = function (d) { return d ? String(d).slice(0, 12) : '—'; };
    var verdictPill = function (v) { return pill(v === 'allow' ? 'ok' : v === 'block' ? 'bad' : v === 'require_approval' ? 'warn' : 'info', String(v).replace(/_/g, ' ')); };
    var P = function (name) { return G + '/gate/policies/' + encodeURIComponent(name); };

    /** 200: done; 202: pending with its approval (kept across redraws); else refused. */
    function settle(what) {
      var shown = afterAction(what + ': done.', what);
      return function (r) {
        // The shell says "Pending" with the approval's link; the page also keeps it listed across redraws.
        if (r.status === 202) pending.push({ what: what, id: (r.body && r.body.approval_id) || '', at: new Date().toISOString() });
        return shown(r);
      };
    }

    function diffView(activeYaml, yaml) {
      var d = lineDiff(activeYaml, yaml);
      if (!d) return empty('Too large to diff here.');
      var changed = d.filter(function (l) { return l.op !== ' '; }).length;
      return h('div', { class: 'diff' }, [
        h('p', { class: 'muted', text: changed ? changed + ' line(s) differ from the active version (+ added, − removed).' : 'Identical to the active version.' }),
        h('pre', { class: 'mono', 'aria-label': 'Line diff against the active version' }, d.map(function (l) {
          var text = (l.op === '+' ? '+ ' : l.op === '-' ? '− ' : '  ') + l.line;
          return h(l.op === '+' ? 'ins' : l.op === '-' ? 'del' : 'span', { style: null, text: text + '\n' });
        })),
      ]);
    }

    function simulation(name, digest, into) {
      return function (ev) {
        ev.preventDefault();
        var button = ev.submitter || ev.target.querySelector('button');
        if (button) button.disabled = true;
        into.replaceChildren(h('p', { class: 'muted', text: 'Replaying recent decisions…' }));
        api('POST', P(name) + '/simulate', { digest: digest, limit: 200 }).then(function (r) {
          if (button) button.disabled = false;
          if (!r.ok) { into.replaceChildren(h('p', { class: 'notice error', text: 'Refused — ' + problem(r) })); return; }
          var s = r.body;
          into.replaceChildren(h('div', { class: 'simulation', 'data-testid': 'simulation' }, [
            h('p', { text: 'Replayed ' + s.evaluated + ' recent decision(s) of ' + name + ': ' + s.changed + ' would change' + (s.active_digest ? ' against the active version.' : ' (no version is active: all were blocked).') }),
            s.transitions.length ? table('Verdict changes', [
              { label: 'From (active)', cell: function (t) { return verdictPill(t.from); } },
              { label: 'To (candidate)', cell: function (t) { return verdictPill(t.to); } },
              { label: 'Decisions', num: true, cell: function (t) { return String(t.count); } },
            ], s.transitions) : empty('No verdict would change.'),
            s.changes.length ? table('Decisions that would change', [
              { label: 'When', cell: function (c) { return when(c.created_at); } },
              { label: 'Identity', cell: function (c) { return c.identity || '—'; } },
              { label: 'Tool', cell: function (c) { return h('code', { text: c.tool_name }); } },
              { label: 'Active → candidate', cell: function (c) { return h('span', {}, [verdictPill(c.active_verdict), ' → ', verdictPill(c.candidate_verdict)]); } },
              { label: 'Candidate reasons', cell: function (c) { return c.candidate_reason_codes.join(', ') || '—'; } },
              { label: 'Decision', cell: function (c) { return h('a', { href: G + '/gate/decisions/' + c.decision_id, text: short(c.decision_id) }); } },
            ], s.changes.slice(0, 50)) : null,
          ]));
        }, function (e) { if (button) button.disabled = false; say('error', String(e.message || e)); });
      };
    }

    function reasonInput(label) { return h('label', {}, [label, h('input', { type: 'text', name: 'reason', maxlength: 500, required: true })]); }

    function versionActs(p, v, activeYaml) {
      var out = h('div', { class: 'sim-result' });
      var parts = [h('details', { open: state.focus && state.focus.name === p.name && state.focus.digest === v.digest ? true : null }, [
        h('summary', { text: 'Diff against the active version' }), diffView(activeYaml, v.yaml)])];
      if (CAN_ACT) {
        var sim = h('form', { class: 'act', 'aria-label': 'Simulate version ' + short(v.digest) + ' of ' + p.name }, [h('button', { type: 'submit', class: 'secondary', text: 'Simulate against recent traffic' })]);
        sim.addEventListener('submit', simulation(p.name, v.digest, out));
        var act = h('form', { class: 'act', 'aria-label': 'Activate version ' + short(v.digest) + ' of ' + p.name }, [reasonInput('Reason for activating'), h('button', { type: 'submit', class: 'primary', text: 'Activate this version' })]);
        act.addEventListener('submit', function (ev) {
          ev.preventDefault();
          var reason = act.querySelector('input').value.trim();
          api('POST', P(p.name) + '/activate', { digest: v.digest, reason: reason }).then(settle('activation of ' + p.name + ' version ' + short(v.digest)));
        });
        parts.push(sim, out, act);
      }
      return h('div', { class: 'version-acts' }, parts);
    }

    function policyCard(p, detail) {
      var versions = detail ? detail.versions : [];
      var active = versions.filter(function (v) { return v.active; })[0];
      var children = [
        h('dl', { class: 'kv' }, [
          h('dt', { text: 'Active version' }), h('dd', {}, h('code', { text: short(p.active_digest) })),
          h('dt', { text: 'Mode' }), h('dd', {}, pill(p.mode === 'enforce' ? 'info' : 'warn', p.mode.replace('_', ' '))),
          h('dt', { text: 'Trust threshold' }), h('dd', { text: pct(p.trust_threshold) }),
          h('dt', { text: 'Rules' }), h('dd', { text: String(p.rule_count) }),
          h('dt', { text: 'Changed' }), h('dd', { text: when(p.updated_at) + ' by ' + p.updated_by }),
        ]),
        table('Versions of ' + p.name, [
          { label: 'Version', cell: function (v) { return h('code', { text: short(v.digest) }); } },
          { label: 'State', cell: function (v) { return v.active ? pill('ok', 'Active') : pill('info', 'Stored'); } },
          { label: 'Rules', num: true, cell: function (v) { return String(v.rule_count); } },
          { label: 'Uploaded', cell: function (v) { return when(v.created_at) + ' by ' + v.created_by; } },
          { label: 'Review', cell: function (v) { return v.active ? h('span', { class: 'muted', text: 'in force' }) : versionActs(p, v, active ? active.yaml : ''); } },
        ], versions),
      ];
      if (CAN_ACT) {
        var select = h('select', { name: 'mode' }, MODES.map(function (m) { return h('option', { value: m, selected: m === p.mode ? true : null, text: m.replace('_', ' ') }); }));
        var form = h('form', { class: 'act', 'aria-label': 'Set the mode of ' + p.name }, [h('label', {}, ['Mode', select]), reasonInput('Reason for the mode change'), h('button', { type: 'submit', class: 'secondary', text: 'Set mode' })]);
        form.addEventListener('submit', function (ev) {
          ev.preventDefault();
          api('POST', P(p.name) + '/mode', { mode: select.value, reason: form.querySelector('input[name=reason]').value.trim() }).then(settle('mode ' + select.value + ' for ' + p.name));
        });
        children.push(form);
      }
      return h('section', { class: 'card', 'aria-label': 'Policy ' + p.name }, [h('h2', { text: 'Policy ' + p.name }), h('div', {}, children)]);
    }

    function uploadForm(policies) {
      var name = h('input', { type: 'text', name: 'name', required: true, maxlength: 64, pattern: '[a-z0-9][a-z0-9._-]{0,63}', value: policies[0] ? policies[0].name : 'default' });
      var yaml = h('textarea', { name: 'yaml', rows: 12, cols: 80, required: true, spellcheck: 'false', class: 'mono' });
      var form = h('form', { class: 'upload', 'aria-label': 'Upload a policy version' }, [
        h('p', {}, h('label', {}, ['Policy name ', name])),
        h('p', {}, h('label', {}, ['Policy YAML (gait.gate.policy)', h('br'), yaml])),
        h('p', { class: 'muted', text: 'Uploading stores the version without activating it (a new name’s first version is active at once). Review its diff and simulate it below, then activate.' }),
        h('button', { type: 'submit', class: 'primary', text: 'Upload version' }),
      ]);
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var n = name.value.trim();
        api('PUT', P(n), { yaml: yaml.value }).then(function (r) {
          if (r.ok && r.body && r.body.digest) state.focus = { name: n, digest: r.body.digest };
          return r;
        }).then(afterAction(function (r) { return 'Version ' + short(r.body.digest) + ' of ' + n + (r.body.version_created ? ' stored.' : ' was already stored.') + (r.body.policy.active_digest === r.body.digest ? ' It is the active version.' : ' Not active: review it below.'); }));
      });
      return section('Upload a policy version', [form]);
    }

    function decisionRow(d) {
      var box = h('div');
      var det = h('details', {}, [h('summary', { text: short(d.id) }), box]);
      det.addEventListener('toggle', function () {
        if (!det.open || box.childNodes.length) return;
        api('GET', G + '/gate/decisions/' + d.id).then(function (r) {
          if (!r.ok) { box.replaceChildren(h('p', { text: problem(r) })); return; }
          box.replaceChildren(h('p', { text: 'Reasons: ' + (r.body.reason_codes.join(', ') || '—') }),
            h('pre', { class: 'mono', 'aria-label': 'Trace of decision ' + d.id, text: JSON.stringify(r.body.trace, null, 2) }),
            h('a', { href: G + '/gate/decisions/' + d.id, text: 'The decision as JSON' }));
        });
      });
      return det;
    }

    return Promise.all([api('GET', G + '/gate/policies'), api('GET', G + '/gate/stats'), api('GET', G + '/gate/decisions?limit=25')]).then(function (r) {
      if (!r[0].ok) throw new Error(problem(r[0]));
      var policies = items(r[0].body);
      return Promise.all(policies.map(function (p) { return api('GET', P(p.name)).then(function (x) { return x.ok ? x.body : null; }); })).then(function (details) {
        var s = r[1].body || {};
        var decisions = items(r[2].body);
        var figures = [['Processed', s.processed], ['Allowed', s.allowed], ['Dry run', s.dry_run], ['Blocked', s.blocked], ['Sent for approval', s.require_approval], ['Approvals pending', s.pending_approvals], ['Approvals used', s.approvals_used], ['Would have blocked (observe)', s.would_have_blocked_observe], ['Simulated', s.simulated]];
        content.replaceChildren.apply(content, [
          pending.length ? section('Pending approval', [h('ul', {}, pending.map(function (x) {
            return h('li', {}, [pill('warn', 'Pending'), ' ' + x.what + (x.id ? ' — approval ' + x.id + ' ' : ' '), h('a', { href: '/console/approvals', text: 'Open Approvals' })]);
          }))]) : null,
          section('Decisions so far', [h('dl', { class: 'kv' }, [].concat.apply([], figures.map(function (f) { return [h('dt', { text: f[0] }), h('dd', { text: f[1] === undefined ? '—' : String(f[1]) })]; })).concat([h('dt', { text: 'Approval rate' }), h('dd', { text: pct(s.approval_rate) })]))]),
        ].concat(policies.length ? policies.map(function (p, i) { return policyCard(p, details[i]); }) : [section('Policies', [empty('No gate policy is stored: every evaluation is blocked (no_active_policy).')])])
          .concat([CAN_ACT ? uploadForm(policies) : null,
            section('Recent decisions', decisions.length ? [table('Recent gate decisions', [
              { label: 'When', cell: function (d) { return when(d.created_at); } },
              { label: 'Verdict', cell: function (d) { return verdictPill(d.verdict); } },
              { label: 'Policy', cell: function (d) { return d.policy + (d.mode ? ' (' + d.mode.replace('_', ' ') + ')' : ''); } },
              { label: 'Identity', cell: function (d) { return d.identity || '—'; } },
              { label: 'Engine', cell: function (d) { return d.engine || '—'; } },
              { label: 'Reasons', cell: function (d) { return d.reason_codes.join(', ') || '—'; } },
              { label: 'Detail', cell: decisionRow },
            ], decisions)] : [empty('No decision yet.')])]).filter(Boolean));
      });
    });
  }
}
`;

@Injectable()
@ConsolePanel(GATE, PAGE)
export class GateConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
