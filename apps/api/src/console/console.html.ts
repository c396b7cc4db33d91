/** The console's server-rendered HTML: every interpolated value goes through `esc`. */

/** A page of the navigation: a lever's panel (@ConsolePanel) at its address. */
export interface ConsolePage {
  slug: string;
  path: string;
  title: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function head(title: string, extra = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Warden console</title>
<link rel="stylesheet" href="/console/assets/console.css">
${extra}</head>`;
}

/** Where a panel's script is served: same origin, so the CSP's `script-src 'self'` holds. */
export function panelScriptPath(slug: string): string {
  return `/console/assets/panels/${encodeURIComponent(slug)}.js`;
}

export interface PageViewer {
  name: string;
  role: string;
  csrfToken: string;
  /** The person approvals compare (`token:<owner>`, or the SSO subject): the approvals page hides a decision already made. */
  person?: string;
  /** The stream's event types (every lever's): the shell follows them to read the page again. */
  streamEvents?: readonly string[];
}

/**
 * A console page: the frame (navigation, who is signed in, sign-out), the shell's script and the
 * page's own script, which fills #content from the JSON API.
 */
export function consolePage(pages: readonly ConsolePage[], page: ConsolePage, viewer: PageViewer): string {
  const nav = pages.map(
    (p) => `<li><a href="${esc(p.path)}"${p.slug === page.slug ? ' aria-current="page"' : ''}>${esc(p.title)}</a></li>`,
  ).join('');
  const meta = `<meta name="warden-csrf" content="${esc(viewer.csrfToken)}">
<meta name="warden-principal" content="${esc(viewer.name)}">
<meta name="warden-role" content="${esc(viewer.role)}">
<meta name="warden-person" content="${esc(viewer.person ?? '')}">
<meta name="warden-stream-events" content="${esc((viewer.streamEvents ?? []).join(','))}">
<script src="/console/assets/console.js" defer></script>
<script src="${esc(panelScriptPath(page.slug))}" defer></script>
`;
  return `${head(page.title, meta)}
<body data-page="${esc(page.slug)}">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/console">Warden <span>console</span></a>
  <nav aria-label="Console pages"><ul>${nav}</ul></nav>
  <div class="who">
    <span><span class="visually-hidden">Signed in as </span><strong data-testid="principal">${esc(viewer.name)}</strong> <span class="badge">${esc(viewer.role)}</span></span>
    <form method="post" action="/console/sign-out">
      <input type="hidden" name="csrf" value="${esc(viewer.csrfToken)}">
      <button type="submit" class="link">Sign out</button>
    </form>
  </div>
</header>
<main id="main" tabindex="-1">
  <h1>${esc(page.title)}</h1>
  <div id="live" class="live-banner" role="alert" hidden></div>
  <div id="notice" role="status" aria-live="polite"></div>
  <div id="content" aria-busy="true"><p class="muted">Loading…</p></div>
  <noscript><p>The console needs JavaScript to load its data.</p></noscript>
</main>
</body>
</html>
`;
}

/**
 * The sign-in page: the company's identity provider when configured (`sso`), and the token form,
 * which stays for development and break-glass. `code` marks a refusal for tests and tools.
 */
export function signInPage(message?: string, kind: 'error' | 'info' = 'error', sso?: { href: string }, code?: string): string {
  const notice = message ? `<p class="notice ${kind}" role="alert"${code ? ` data-error="${esc(code)}"` : ''}>${esc(message)}</p>` : '';
  const provider = sso
    ? `<div class="card sign-in-card">
    <h1>Warden console</h1>
    ${notice}
    <p><a id="sign-in-oidc" href="${esc(sso.href)}">Sign in with your company account</a></p>
    <p class="muted">Your role comes from your groups at the identity provider.</p>
  </div>
  `
    : '';
  return `${head('Sign in')}
<body class="sign-in">
<main id="main">
  ${provider}<form class="card sign-in-card" method="post" action="/console/sign-in">
    ${sso ? '<h2>Sign in with a token</h2>' : '<h1>Warden console</h1>'}
    <p class="muted">${sso ? 'For development and emergencies (break-glass). ' : ''}Sign in with your API token. The token is exchanged for a session of at most 8 hours; it is not stored in the browser.</p>
    ${sso ? '' : notice}
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required maxlength="500"${sso ? '' : ' autofocus'}>
    <button type="submit" class="${sso ? 'secondary' : 'primary'}">Sign in</button>
  </form>
</main>
</body>
</html>
`;
}

/**
 * After the provider's redirect: a page of ours moves on to the console, so the navigation starts
 * on Warden's own site and the SameSite=Strict session cookie goes with it (no script: a refresh).
 */
export function continuePage(to: string): string {
  return `${head('Signed in', `<meta http-equiv="refresh" content="0;url=${esc(to)}">
`)}
<body class="sign-in"><main id="main"><div class="card sign-in-card"><h1>Signed in</h1><p><a href="${esc(to)}">Continue to the console</a></p></div></main></body>
</html>
`;
}

export function notFoundPage(): string {
  return `${head('Not found')}
<body class="sign-in"><main id="main"><div class="card sign-in-card"><h1>Not found</h1><p><a href="/console">Back to the console</a></p></div></main></body>
</html>
`;
}
