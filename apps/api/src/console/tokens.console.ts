import { Injectable } from '@nestjs/common';
import { ConsolePanel, type ConsolePanelContract, consolePanelScript, PLATFORM } from '#platform';

const PAGE = { slug: 'tokens', title: 'Tokens', order: 90 };

/**
 * Tokens (admin; the API refuses anyone else, and the page then says so): create one (its secret is
 * shown once, in the notice, and kept nowhere), list them with their binding and person, revoke one.
 * Client code (plain ES2017), run by the console shell with its kit; it builds the DOM from text only.
 */
const RENDER = String.raw`
function (kit) {
  const { h, api, say, problem, when, pill, empty, table, section, items, actionForm, fieldsForm, afterAction, content, G, ME, CAN_ADMIN } = kit;
  kit.live(false); // tokens are not on the stream
  function list(v) { return v === '' ? undefined : v.split(',').map(function (x) { return x.trim(); }).filter(Boolean); }
  function binding(t) {
    var parts = [];
    if (t.engines) parts.push('engines ' + t.engines.join(', '));
    if (t.domains) parts.push('domains ' + t.domains.join(', '));
    if (t.identities) parts.push('identities ' + t.identities.join(', '));
    return parts.length ? parts.join('; ') : t.role === 'engine' ? 'all engines' : '—';
  }
  function createForm() {
    return fieldsForm({ label: 'Create a token', button: 'Create token', reason: false,
      fields: [
        { name: 'name', label: 'Name', type: 'text', value: '', required: true, hint: 'recorded on everything it does' },
        { name: 'role', label: 'Role', type: 'select', value: 'viewer', options: [['viewer', 'viewer'], ['engine', 'engine'], ['operator', 'operator'], ['admin', 'admin']] },
        { name: 'owner', label: 'Person (owner)', type: 'text', value: '', hint: 'empty: the token is its own person' },
        { name: 'engines', label: 'Engines', type: 'text', value: '', hint: 'engine tokens: comma-separated; empty: all' },
        { name: 'domains', label: 'Domains', type: 'text', value: '', hint: 'engine tokens: comma-separated' },
        { name: 'identities', label: 'Gate identities', type: 'text', value: '', hint: 'engine tokens: comma-separated' },
      ],
      run: function (v) {
        var body = { name: v.name, role: v.role };
        if (v.owner) body.owner = v.owner;
        ['engines', 'domains', 'identities'].forEach(function (k) { var l = list(v[k]); if (l) body[k] = l; });
        return api('POST', G + '/tokens', body);
      },
      done: function (r) {
        if (r.status !== 201) return say('error', 'Refused — ' + problem(r));
        say('ok', [h('strong', { text: 'Token ' + r.body.name + ' created (' + r.body.role + ').' }),
          ' Copy it now: it is shown only this once and Warden keeps only its hash.',
          h('code', { class: 'secret', 'data-testid': 'new-token', text: r.body.token })]);
        [].forEach.call(content.querySelectorAll('form[aria-label="Create a token"] input'), function (el) { el.value = ''; });
        kit.reload();
      } });
  }
  function revokeForm(t) {
    return actionForm({ label: 'Revoke ' + t.name, button: 'Revoke', kind: 'danger', reasonLabel: 'Reason (required)',
      run: function (reason) { return api('POST', G + '/tokens/' + encodeURIComponent(t.id) + '/revoke', { reason: reason }); },
      done: afterAction('Token ' + t.name + ' revoked: its sessions end at their next request.') });
  }
  function tokens(caption, rows, active) {
    return table(caption, [
      { label: 'Name', cell: function (t) { return [h('strong', { text: t.name }), t.name === ME ? h('span', { class: 'muted', text: ' (you)' }) : null]; } },
      { label: 'Role', cell: function (t) { return pill(t.role === 'admin' || t.role === 'operator' ? 'warn' : 'info', t.role); } },
      { label: 'Person', cell: function (t) { return t.owner; } },
      { label: 'Binding', cell: binding },
      { label: 'Created', cell: function (t) { return when(t.created_at) + ' by ' + t.created_by; } },
      { label: active ? 'Action' : 'Revoked', cell: function (t) { return active ? revokeForm(t) : when(t.revoked_at); } },
    ], rows, { key: function (t) { return t.id; } });
  }
  if (!CAN_ADMIN) {
    content.replaceChildren(section('Tokens', [empty('Tokens are managed by an admin: your role cannot list them.')]));
    return Promise.resolve();
  }
  return api('GET', G + '/tokens').then(function (r) {
    if (!r.ok) throw new Error(problem(r));
    var all = items(r.body);
    var live = all.filter(function (t) { return !t.revoked_at; });
    var revoked = all.filter(function (t) { return t.revoked_at; });
    content.replaceChildren(
      section('Create a token', [createForm()]),
      section('Active tokens', live.length ? [h('div', { class: 'scroll' }, tokens('Active tokens', live, true))] : [empty('No active token.')]),
      section('Revoked tokens', revoked.length ? [h('details', { 'data-key': 'revoked' }, [h('summary', { text: revoked.length + ' revoked' }), tokens('Revoked tokens', revoked, false)])] : [empty('None revoked.')]),
    );
  });
}
`;

@Injectable()
// Tokens are the platform's (auth), so the page is the platform's, beside its audit and outbox pages.
@ConsolePanel(PLATFORM, PAGE)
export class TokensConsole implements ConsolePanelContract {
  script(): string {
    return consolePanelScript(PAGE.slug, RENDER);
  }
}
