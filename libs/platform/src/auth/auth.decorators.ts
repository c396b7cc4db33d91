import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-docs.js';
import type { Principal, Role } from './principal.js';

export const ROLE_KEY = 'warden:role';
export const PUBLIC_KEY = 'warden:public';

/**
 * The least role a route needs. A route that declares nothing needs `admin` (fail closed). OpenAPI
 * shows the role (`x-required-role`, and in the description) and the 401/403 answers.
 */
export const RequireRole = (role: Role) =>
  applyDecorators(
    SetMetadata(ROLE_KEY, role),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-required-role', role),
    ApiErrors({ unauthorized: 401, forbidden: 403 }),
  );

/** The name of the OpenAPI security scheme: an opaque bearer token, not a JWT. */
export const BEARER_SCHEME = 'bearer';

/** No token needed (health, docs, metrics). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-public', true));

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
