import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_PAGE_HEADERS, ConsolePanelRegistry, OIDC_FLOW_COOKIE, OIDC_START_PATH, OidcRefusal, OidcService, Public, readCookie, SESSION_COOKIE, SessionService, StreamRegistry } from '#platform';
import { CONSOLE_JS } from './console.client.js';
import { CONSOLE_CSS } from './console.css.js';
import { type ConsolePage, consolePage, continuePage, notFoundPage, signInPage } from './console.html.js';

/**
 * The operator console: server-rendered page frames, a stylesheet, the shell's script and each
 * page's script, all served by Warden. The pages are the levers' panels (@ConsolePanel, found at
 * start into ConsolePanelRegistry): the shell names none; the first in navigation order is the home
 * page at /console, the others are at /console/<slug>. Pages are public routes that check the
 * session themselves (a missing or dead session redirects to sign-in); the data and every action go
 * through the JSON API, where the AuthGuard accepts the session cookie and requires the CSRF header
 * on actions.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly sessions: SessionService,
    private readonly panels: ConsolePanelRegistry,
    private readonly oidc: OidcService,
    private readonly stream: StreamRegistry,
  ) {}

  @Get('assets/console.css')
  @Public()
  css(@Res() reply: FastifyReply): FastifyReply {
    return reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(CONSOLE_CSS);
  }

  @Get('assets/console.js')
  @Public()
  js(@Res() reply: FastifyReply): FastifyReply {
    return reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(CONSOLE_JS);
  }

  /** A page's own script: its panel's client code, registered with the shell's client. */
  @Get('assets/panels/:slug.js')
  @Public()
  panelJs(@Param('slug') slug: string, @Res() reply: FastifyReply): FastifyReply {
    const panel = this.panels.get(slug);
    if (!panel) return reply.code(404).header('x-content-type-options', 'nosniff').type('text/plain; charset=utf-8').send('not found');
    return reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(panel.panel.script());
  }

  @Get('sign-in')
  @Public()
  signInForm(@Query('expired') expired: string | undefined, @Res() reply: FastifyReply): FastifyReply {
    return html(reply, 200, signInPage(expired ? 'Your session has ended. Sign in again.' : undefined, 'info', this.sso()));
  }

  /** Starts an SSO sign-in: to the provider, with the flow's handle in a short-lived cookie (its state, nonce and verifier stay here). */
  @Get('sign-in/oidc')
  @Public()
  async oidcStart(@Res() reply: FastifyReply): Promise<FastifyReply> {
    try {
      const started = await this.oidc.start();
      return reply.code(303).header('set-cookie', this.flowCookie(started.handle, started.maxAgeSeconds)).header('cache-control', 'no-store').header('location', started.location).send();
    } catch (err) {
      return this.oidcRefused(reply, err);
    }
  }

  /**
   * The provider's redirect back. The session cookie is SameSite=Strict, and this request came from
   * the provider's site: a redirect from here would not carry it, so a page of ours moves on.
   */
  @Get('sign-in/oidc/callback')
  @Public()
  async oidcCallback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const query = request.url.indexOf('?');
    try {
      const signed = await this.oidc.finish(readCookie(request.headers.cookie, OIDC_FLOW_COOKIE), query === -1 ? '' : request.url.slice(query));
      void reply.header('set-cookie', [this.sessions.cookie(signed.session, signed.expiresAt), this.flowCookie('', 0)]);
      return html(reply.header('cache-control', 'no-store'), 200, continuePage('/console'));
    } catch (err) {
      return this.oidcRefused(reply.header('set-cookie', this.flowCookie('', 0)), err);
    }
  }

  @Post('sign-in')
  @Public()
  async signIn(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (crossSite(request)) return crossSiteRefused(reply);
    const token = field(request.body, 'token');
    const signed = token ? await this.sessions.signIn(token) : null;
    if (!signed) return html(reply, 401, signInPage('That token is not valid (unknown or revoked).', 'error', this.sso()));
    return reply.code(303).header('set-cookie', this.sessions.cookie(signed.session, signed.expiresAt)).header('cache-control', 'no-store').header('location', '/console').send();
  }

  /** A plain form post carrying the CSRF token as a field: another site cannot sign an operator out either. */
  @Post('sign-out')
  @Public()
  async signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (crossSite(request)) return crossSiteRefused(reply);
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    const live = session ? await this.sessions.resolve(session) : null;
    if (session && live) {
      if (!this.sessions.csrfMatches(live, field(request.body, 'csrf'))) {
        return reply.code(403).send({ statusCode: 403, error: 'csrf_failed', message: 'sign-out needs the session\u2019s CSRF token' });
      }
      await this.sessions.signOut(session, live.principal);
    }
    return reply.code(303).header('set-cookie', this.sessions.clearCookie()).header('cache-control', 'no-store').header('location', '/console/sign-in').send();
  }

  @Get()
  @Public()
  home(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.page(undefined, request, reply);
  }

  @Get(':page')
  @Public()
  other(@Param('page') slug: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.page(slug, request, reply);
  }

  /** `slug` undefined: the home page. The home panel has no second address under /console/<slug>. */
  private async page(slug: string | undefined, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    const live = session ? await this.sessions.resolve(session) : null;
    if (!live) {
      if (session) void reply.header('set-cookie', this.sessions.clearCookie());
      return reply.code(303).header('cache-control', 'no-store').header('location', session ? '/console/sign-in?expired=1' : '/console/sign-in').send();
    }
    const pages = this.pages();
    const page = slug === undefined ? pages[0] : pages.find((p, i) => i > 0 && p.slug === slug);
    if (!page) return html(reply, 404, notFoundPage());
    const streamEvents = Object.values(this.stream.declared()).flat().sort();
    const { name, role, person } = live.principal;
    return html(reply, 200, consolePage(pages, page, { name, role, person, csrfToken: live.csrfToken, streamEvents }));
  }

  private sso(): { href: string } | undefined {
    return this.oidc.enabled ? { href: OIDC_START_PATH } : undefined;
  }

  /** Lax, not Strict: it must come back with the provider's redirect, a navigation from another site. */
  private flowCookie(handle: string, maxAgeSeconds: number): string {
    return `${OIDC_FLOW_COOKIE}=${handle}; HttpOnly; SameSite=Lax; Path=${OIDC_START_PATH}; Max-Age=${maxAgeSeconds}${this.sessions.secureAttribute()}`;
  }

  private oidcRefused(reply: FastifyReply, err: unknown): FastifyReply {
    if (!(err instanceof OidcRefusal)) throw err;
    return html(reply.header('cache-control', 'no-store'), err.status, signInPage(err.message, 'error', this.sso(), err.code));
  }

  /** The navigation: every declared panel in order, the first at /console. */
  private pages(): ConsolePage[] {
    return this.panels.all().map((p, i) => ({ slug: p.slug, title: p.title, path: i === 0 ? '/console' : `/console/${encodeURIComponent(p.slug)}` }));
  }
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(CONSOLE_PAGE_HEADERS).type('text/html; charset=utf-8').send(body);
}

/** A form posted from another site (login CSRF: signing a victim in as the attacker). Browsers send Origin on every POST. */
function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

function crossSiteRefused(reply: FastifyReply): FastifyReply {
  return reply.code(403).send({ statusCode: 403, error: 'csrf_failed', message: 'the console accepts sign-in and sign-out forms only from its own pages' });
}

function field(body: unknown, name: string): string | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value.length > 0 && value.length <= 500 ? value.trim() : undefined;
}
