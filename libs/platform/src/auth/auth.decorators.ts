import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from './principal.js';

export const ROLE_KEY = 'warden:role';
export const PUBLIC_KEY = 'warden:public';

/** The least role a route needs. A route that declares nothing needs `admin` (fail closed). */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);

/** No token needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
