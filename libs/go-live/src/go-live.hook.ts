import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, MetricsService, resolveExecutionClass } from '#platform';
import { admit, isExemptPath } from './decide/admission.js';
import { GO_LIVE } from './go-live.lever.js';
import type { GoLiveService } from './go-live.service.js';

/**
 * The go-live and execution-class middleware, as a Fastify onRequest hook: it runs before every
 * route (and before the body is parsed), reads the route's declared execution class from its route
 * config, and decides from the in-memory control-plane row. Only a PROD_EXEC request with a stale
 * copy touches the database, and fails closed with 503 if it cannot.
 */
export function installGoLiveHook(fastify: FastifyInstance, goLive: GoLiveService, metrics: MetricsService): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (isExemptPath(path)) return;
    const config = request.routeOptions.config as { executionClass?: unknown } | undefined;
    const executionClass = resolveExecutionClass(request.method, config?.executionClass);

    let row = goLive.fresh();
    if (!row) {
      if (executionClass === 'PROD_EXEC') {
        try {
          row = await goLive.current();
        } catch {
          metrics.decision(GO_LIVE.name, 'governance_unavailable');
          return deny(reply, 503, 'governance_unavailable', 'control-plane state cannot be read: failing closed');
        }
      } else {
        row = goLive.lastKnown();
        if (!row) return deny(reply, 503, 'governance_unavailable', 'control-plane state not loaded yet');
      }
    }
    const admission = admit({
      path,
      executionClass,
      enforced: goLive.enforced,
      goLiveEnabled: row.go_live_enabled,
      killSwitchEngaged: row.kill_switch_engaged,
    });
    if (!admission.allowed) {
      metrics.decision(GO_LIVE.name, admission.code);
      return deny(reply, admission.status, admission.code, admission.message);
    }
  });
}

function deny(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const body: ErrorBody = { statusCode: status, error: code, message, reason_codes: [code] };
  return reply.code(status).send(body);
}
