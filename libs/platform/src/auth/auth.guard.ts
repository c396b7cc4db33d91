import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WardenError } from '../errors/warden-error.js';
import { PUBLIC_KEY, ROLE_KEY } from './auth.decorators.js';
import { AuthErrorCode } from './auth.errors.js';
import { type Principal, type Role, roleAtLeast } from './principal.js';
import { CSRF_HEADER, readCookie, SESSION_COOKIE, SessionService } from './session.service.js';
import { TokenService } from './token.service.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type GuardedRequest = { method: string; headers: Record<string, string | string[] | undefined>; principal?: Principal };

/**
 * Authentication and role check for every route (registered as APP_GUARD): a bearer token, or the
 * console's session cookie — which, on an unsafe method, acts only with its CSRF token in the
 * X-CSRF-Token header (a form or a script on another site cannot send that header).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'admin';
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = await this.authenticate(request);
    if (!roleAtLeast(principal.role, required)) {
      throw WardenError.forbidden('forbidden', `role '${principal.role}' may not do this; '${required}' or above is required`);
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(request: GuardedRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (typeof header === 'string') {
      if (!header.startsWith('Bearer ')) throw new WardenError('unauthorized', 401, 'missing bearer token');
      const principal = await this.tokens.authenticate(header.slice(7).trim());
      if (!principal) throw new WardenError('unauthorized', 401, 'invalid or revoked token');
      return principal;
    }
    const cookie = readCookie(typeof request.headers.cookie === 'string' ? request.headers.cookie : undefined, SESSION_COOKIE);
    if (!cookie) throw new WardenError('unauthorized', 401, 'missing bearer token');
    const live = await this.sessions.resolve(cookie);
    if (!live) throw new WardenError('unauthorized', 401, 'invalid, expired or signed-out session');
    if (UNSAFE_METHODS.has(request.method.toUpperCase()) && !this.sessions.csrfMatches(live, request.headers[CSRF_HEADER])) {
      throw WardenError.forbidden(AuthErrorCode.CsrfFailed, `a session-authenticated ${request.method} needs the session's CSRF token in the X-CSRF-Token header`);
    }
    return live.principal;
  }
}
