import { Logger, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AuthGuard, createValidationPipe, type Principal, SessionService, toErrorBody, TokenService } from '#platform';
import { GateController } from './gate.controller.js';
import { GateEvaluateService } from './gate-evaluate.service.js';
import { EvaluateRequestDto } from './dto/evaluate.dto.js';
import { plainEvaluateBody } from './evaluate/fast-body.js';

export const GATE_EVALUATE_URL = '/api/governance/gate/evaluate';

/**
 * POST /gate/evaluate outside Nest's per-request pipeline. The route stays declared on
 * GateController (OpenAPI, its role, its execution class in the route config that the go-live hook
 * reads); when Nest registers it with Fastify, this swaps the handler for one that does the same
 * steps directly:
 *   - the app's AuthGuard, asked exactly as Nest asks it (the controller method's @RequireRole);
 *   - the body: a plain `{intent, policy?, simulate?}` is taken as it is (`plainEvaluateBody`),
 *     anything else goes through the app's ValidationPipe (its 400s unchanged);
 *   - GateEvaluateService, unchanged: every decision is stored before its answer;
 *   - errors rendered by the global filter's `toErrorBody`.
 * The global Fastify hooks (request id, go-live, input strings, metrics) run as for every route.
 * Measured (docs/gate.md, performance): Nest's router, guard context and pipe were ~25% of the
 * gate's CPU.
 *
 * Call before `app.init()` (routes are registered there).
 */
export function installGateEvaluateRoute(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const evaluator = app.get(GateEvaluateService);
  const guard = new AuthGuard(app.get(Reflector), app.get(TokenService), app.get(SessionService));
  const pipe: PipeTransform = createValidationPipe();
  const logger = new Logger('errors');
  const handler = GateController.prototype.evaluate;
  const bodyMeta = { type: 'body' as const, metatype: EvaluateRequestDto, data: undefined };

  const context = (request: FastifyRequest, reply: FastifyReply): ExecutionContext =>
    ({
      getHandler: () => handler,
      getClass: () => GateController,
      getType: () => 'http',
      getArgs: () => [request, reply],
      getArgByIndex: (i: number) => [request, reply][i],
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply, getNext: () => undefined }),
      switchToRpc: () => unsupported(),
      switchToWs: () => unsupported(),
    }) as unknown as ExecutionContext;

  async function evaluate(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    try {
      await guard.canActivate(context(request, reply));
      const principal = (request as unknown as { principal: Principal }).principal;
      const body = plainEvaluateBody(request.body) ?? ((await pipe.transform(request.body, bodyMeta)) as EvaluateRequestDto);
      const answer = await evaluator.evaluate(principal, body);
      return reply.status(answer.status).send(answer.body);
    } catch (e) {
      const body = toErrorBody(e, logger);
      return reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
    }
  }

  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url === GATE_EVALUATE_URL && methods.includes('POST')) route.handler = evaluate;
  });
}

function unsupported(): never {
  throw new Error('the gate evaluate route is HTTP only');
}
