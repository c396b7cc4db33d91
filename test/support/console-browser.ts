import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket, connect } from 'node:net';
import pw from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * The console in Debian's chromium (headless, driven by playwright-core), for the console's browser
 * specs. Chromium missing is a failure, never a skip: `.ci/run` installs it.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const OUT = 'test-output/console';
export const VIEWPORT = { width: 1366, height: 768 };

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(OUT, { recursive: true });
  return pw.chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], headless: true });
}

/** A browser spec's teardown: its contexts and browser closed, then its app, whatever fails first. */
export async function closeAll(contexts: BrowserContext[], browser: Browser | undefined, app: { close(): Promise<void> } | undefined): Promise<void> {
  try {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  } finally {
    await app?.close();
  }
}

/** Signs in with a token through the sign-in form, in a fresh context (its own cookies); the page is at /console. */
export async function signIn(browser: Browser, base: string, token: string, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/console`);
  await loaded(page);
  return page;
}

/** The page's script has filled #content (after the stream's snapshot, or without it). */
export async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('#content[aria-busy="false"]');
}

export async function visit(page: Page, base: string, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await loaded(page);
}

/** Every page of the navigation as the console draws it (so pages other levers add are covered too). */
export async function navigation(page: Page): Promise<Array<{ path: string; title: string }>> {
  return page.$$eval('nav[aria-label="Console pages"] a', (as) => as.map((a) => ({ path: a.getAttribute('href')!, title: a.textContent!.trim() })));
}

/** The slug a screenshot of a page is named after: /console → status-like home name. */
export function pageName(path: string, home: string): string {
  return path === '/console' ? home : path.split('/').pop()!;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core run in the page (its source evaluated through the DevTools protocol, which the page's
 * CSP does not govern); the serious and critical violations, each with the elements it names.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}

/**
 * A TCP proxy in front of the app: the browser talks to it, so a test can cut every connection
 * (what a network drop or a restarting load balancer does) and let them through again.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.refusing) return client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Cuts every open connection and refuses new ones until `restore`. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
