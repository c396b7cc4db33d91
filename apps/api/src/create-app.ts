import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { installGateEvaluateRoute } from '#gate/server';
import { GoLiveService, installGoLiveHook } from '#go-live';
import { buildOpenApiDocument, Clock, createPino, installInputGuards, loadConfig, MetricsService, PinoNestLogger, requestIdFrom, runWithLogger, TokenService, type WardenConfig } from '#platform';
import { AppModule, type AppOptions } from './app.module.js';

export interface CreateAppOptions {
  config?: WardenConfig;
  clock?: Clock;
  /** Only the middleware benchmark turns this off, to measure what the go-live hook costs. */
  goLiveMiddleware?: boolean;
  imports?: AppOptions['imports'];
  /** Where log lines go (stdout by default); tests capture them here. */
  logDestination?: DestinationStream;
}

const ONE_MIB = 1024 * 1024;

/** Builds the whole Warden app exactly as production runs it; main.ts and every e2e test use this. */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const config = options.config ?? loadConfig();
  const pino = createPino(config.LOG_LEVEL, options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: ONE_MIB,
    loggerInstance: pino,
    // The id is read (and refused when it is not a plain id) by requestIdFrom, not by Fastify as it comes.
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(req.headers['x-request-id']),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, clock: options.clock, imports: options.imports }), adapter, {
    logger: new PinoNestLogger(pino),
    abortOnError: false,
  });

  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const metrics = app.get(MetricsService);
  // The rest of the request runs with Fastify's request logger (bound to the request id) as the
  // logging context: every line a service logs through Nest's Logger carries the id. A callback
  // hook, so the context covers the hooks and the handler that follow.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    runWithLogger(request.log as unknown as Logger, done);
  });
  // Reading the body resumes in the socket's context, not the request's: enter it again after.
  fastify.addHook('preValidation', (request, _reply, done) => runWithLogger(request.log as unknown as Logger, done));
  installInputGuards(app, { bodyLimit: ONE_MIB });
  if (options.goLiveMiddleware ?? true) installGoLiveHook(fastify, app.get(GoLiveService), metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: request.method, status: reply.statusCode });
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });

  // The gate's evaluate route runs outside Nest's per-request pipeline (auth, body and errors as Nest's).
  installGateEvaluateRoute(app);

  const document = buildOpenApiDocument(app, '0.1.0');
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  await app.get(TokenService).ensureBootstrapToken();
  return app;
}
