// `warden tokens create|list|revoke` (admin) and `warden review show` over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API, seg, type WardenHttp } from './client.js';
import { done, type Outcome } from './output.js';
import { table } from './render.js';
import { invalidInput } from './run.js';

interface TokenView {
  id: string;
  name: string;
  role: string;
  engines: string[] | null;
  domains: string[] | null;
  identities: string[] | null;
  owner: string;
  person: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  token?: string;
}

export interface TokenCreateFlags {
  name: string;
  role: string;
  owner?: string;
  engine?: string[];
  domain?: string[];
  identity?: string[];
}

/** The new token is printed once, here (it is what the command is for); the caller's never is. */
export async function tokensCreate(http: WardenHttp, opts: TokenCreateFlags): Promise<Outcome> {
  const body = {
    name: opts.name,
    role: opts.role,
    ...(opts.owner ? { owner: opts.owner } : {}),
    ...(opts.engine?.length ? { engines: opts.engine } : {}),
    ...(opts.domain?.length ? { domains: opts.domain } : {}),
    ...(opts.identity?.length ? { identities: opts.identity } : {}),
  };
  const t = (await http.post<TokenView>(`${API}/tokens`, body, 'tokens create')).body;
  return done({ token: t }, `${t.token}\n(id ${t.id}, name ${t.name}, role ${t.role}, person ${t.person}; shown only once)`);
}

const binding = (t: TokenView) => [t.engines?.length ? `engines=${t.engines.join(',')}` : '', t.domains?.length ? `domains=${t.domains.join(',')}` : '', t.identities?.length ? `identities=${t.identities.join(',')}` : ''].filter(Boolean).join(' ');

export async function tokensList(http: WardenHttp): Promise<Outcome> {
  const tokens = (await http.get<TokenView[]>(`${API}/tokens`, 'tokens list')).body;
  const human = table(
    ['ID', 'NAME', 'ROLE', 'PERSON', 'STATE', 'BINDING', 'CREATED'],
    tokens.map((t) => [t.id, t.name, t.role, t.person, t.revoked_at ? `revoked ${t.revoked_at}` : 'active', binding(t), `${t.created_at} by ${t.created_by}`]),
  );
  return done({ items: tokens }, human);
}

export async function tokensRevoke(http: WardenHttp, id: string, opts: { reason?: string }): Promise<Outcome> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id.trim())) throw invalidInput(`not a token id: ${id}`);
  const t = (await http.post<TokenView>(`${API}/tokens/${seg(id.trim())}/revoke`, opts.reason ? { reason: opts.reason } : {}, `tokens revoke ${id}`)).body;
  return done({ token: t }, `revoked ${t.id} (${t.name}) at ${t.revoked_at}`);
}

interface ReviewView {
  week: string;
  generated_at: string;
  generated_by: string;
  digest: string;
  report: { from?: string; to?: string; needs_attention?: Array<{ kind?: string; subject?: string; message?: string }>; sections?: Array<{ key?: string; title?: string; status?: string }> };
}

/** The newest weekly report (or --week's): its needs-attention list and sections; --open opens its page. */
export async function reviewShow(http: WardenHttp, opts: { week?: string; open?: boolean }): Promise<Outcome> {
  if (opts.week !== undefined && !/^\d{4}-W\d{2}$/.test(opts.week)) throw invalidInput(`--week must be an ISO week like 2026-W48, not ${opts.week}`);
  const r = (await http.get<ReviewView>(`${API}/reviews/${opts.week ? seg(opts.week) : 'latest'}`, 'review show')).body;
  const attention = r.report.needs_attention ?? [];
  const lines = [
    `week ${r.week} (${r.report.from ?? '?'} to ${r.report.to ?? '?'}), generated ${r.generated_at} by ${r.generated_by}`,
    `digest ${r.digest}`,
    attention.length ? `needs attention (${attention.length}):` : 'needs attention: nothing',
    ...attention.map((a) => `  - ${a.message ?? a.kind ?? ''}${a.subject ? ` [${a.subject}]` : ''}`),
    'sections:',
    ...(r.report.sections ?? []).map((s) => `  ${s.key ?? '?'}: ${s.title ?? ''}${s.status && s.status !== 'ok' ? ` (${s.status})` : ''}`),
  ];
  let page: string | undefined;
  if (opts.open) {
    page = savePage(r.week, await http.text(`${API}/reviews/${seg(r.week)}.html`, 'review show --open'));
    openInBrowser(page);
    lines.push(`page: ${page}`);
  }
  return done({ review: r, ...(page ? { page } : {}) }, lines.join('\n'));
}

/**
 * The page needs the bearer token, which a browser opening the URL would not send: it is fetched
 * here and saved (readable by the user only) for the browser to open as a file.
 */
function savePage(week: string, html: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'warden-review-')), `review-${week}.html`);
  writeFileSync(path, html, { mode: 0o600 });
  return path;
}

/** `$BROWSER`, else the platform's opener; detached, so the CLI does not wait for it. */
function openInBrowser(path: string): void {
  const opener = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open');
  try {
    const child = spawn(opener, [path], { detached: true, stdio: 'ignore' });
    child.on('error', () => process.stderr.write(`warden: could not start ${opener}; open ${path} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`warden: could not start ${opener}; open ${path} yourself\n`);
  }
}
