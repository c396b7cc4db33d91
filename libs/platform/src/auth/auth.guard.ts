import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WardenError } from '../errors/warden-error.js';
import { PUBLIC_KEY, ROLE_KEY } from './auth.decorators.js';
import { type Principal, type Role, roleAtLeast } from './principal.js';
import { TokenService } from './token.service.js';

/** Bearer-token authentication and role check for every route (registered as APP_GUARD). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'admin';
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new WardenError('unauthorized', 401, 'missing bearer token');
    const principal = await this.tokens.authenticate(header.slice(7).trim());
    if (!principal) throw new WardenError('unauthorized', 401, 'invalid or revoked token');
    if (!roleAtLeast(principal.role, required)) {
      throw WardenError.forbidden('forbidden', `role '${principal.role}' may not do this; '${required}' or above is required`);
    }
    request.principal = principal;
    return true;
  }
}
