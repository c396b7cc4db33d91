/**
 * NestJS: `@Governed({ tool, risk })` on a route handler runs it only when Warden's gate allows
 * (the grace seed's `@require_governance(action, risk_level)`). Import `WardenModule.forRoot({ client })`
 * once; the guard refuses a block with 403 `gate_blocked` and a hold with 403 `approval_pending`
 * (with `approval_id`: re-send the request with `x-warden-approval-id` once it is approved).
 */
import {
  applyDecorators,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  Global,
  HttpException,
  Inject,
  Injectable,
  Module,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { WardenClient } from './client.js';
import { ApprovalPendingError, ApprovalRejectedError, ApprovalTimeoutError, GateBlockedError, GovernanceUnavailableError, WardenError } from './errors.js';
import { intentFor, type GovernedOptions } from './governed.js';

/** The injection token of the module's WardenClient. */
export const WARDEN_CLIENT = Symbol.for('@warden/client');
const GOVERNED = Symbol.for('@warden/client:governed');
/** The header a re-sent request names its granted approval in (the default `approvalId`). */
export const APPROVAL_HEADER = 'x-warden-approval-id';

/** A request as the guard sees it (Express and Fastify both have these). */
export interface GovernedRequest {
  body?: unknown;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  url?: string;
  /** Set by the guard on allow: the gate's decision, for the handler to log. */
  wardenDecision?: unknown;
}

/** {@link GovernedOptions} whose derived fields take the request. */
export type NestGovernedOptions = GovernedOptions<[GovernedRequest]>;

/** Marks a handler (or a controller) as governed by the gate. */
export function Governed(options: NestGovernedOptions): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(GOVERNED, options), UseGuards(GovernedGuard));
}

const headerApproval = (req: GovernedRequest): string | undefined => {
  const value = req.headers[APPROVAL_HEADER];
  return typeof value === 'string' && value ? value : undefined;
};

/** Evaluates the handler's intent; true only on allow. Every other answer refuses, Warden unreachable included. */
@Injectable()
export class GovernedGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(WARDEN_CLIENT) private readonly client: WardenClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.getAllAndOverride<NestGovernedOptions | undefined>(GOVERNED, [context.getHandler(), context.getClass()]);
    // A guard placed without options governs nothing it could describe: refuse.
    if (!options) throw refusal(500, 'governed_without_options', 'the @Governed guard found no options on this handler');
    const req = context.switchToHttp().getRequest<GovernedRequest>();
    const { intent, authorize } = intentFor({ approvalId: headerApproval, ...options }, { identity: this.client.identity, workspace: this.client.workspace }, [req]);
    try {
      req.wardenDecision = await this.client.gate.authorize(intent, authorize);
      return true;
    } catch (err) {
      throw toHttp(err);
    }
  }
}

function refusal(status: number, error: string, message: string, extra: Record<string, unknown> = {}): HttpException {
  return new HttpException({ statusCode: status, error, message, ...extra }, status);
}

function toHttp(err: unknown): HttpException {
  if (err instanceof GateBlockedError) return refusal(403, 'gate_blocked', err.message, { reason_codes: err.reasonCodes, decision_id: err.decision.decision_id });
  if (err instanceof ApprovalPendingError) return refusal(403, 'approval_pending', err.message, { reason_codes: err.reasonCodes, approval_id: err.approvalId });
  if (err instanceof ApprovalRejectedError || err instanceof ApprovalTimeoutError) return refusal(403, err.code, err.message, { reason_codes: err.reasonCodes, approval_id: err.approvalId });
  if (err instanceof GovernanceUnavailableError) return refusal(503, 'governance_unavailable', err.message);
  if (err instanceof WardenError) return refusal(err.status >= 400 && err.status < 500 ? 403 : 503, err.code, err.message, { reason_codes: err.reasonCodes });
  // Anything else (a bug, a derive function that threw): fail closed, without the internals.
  return refusal(503, 'governance_unavailable', 'the governance check failed');
}

/** Provides the client to the guard, app-wide. */
@Global()
@Module({})
export class WardenModule {
  static forRoot(options: { client: WardenClient }): DynamicModule {
    return {
      module: WardenModule,
      providers: [{ provide: WARDEN_CLIENT, useValue: options.client }, GovernedGuard],
      exports: [WARDEN_CLIENT, GovernedGuard],
    };
  }
}
