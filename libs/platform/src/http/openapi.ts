import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../auth/auth.decorators.js';
import { ERROR_BODY_EXTENSION, ErrorBodyDto } from './api-docs.js';

type Operation = {
  description?: string;
  parameters?: Array<{ in?: string }>;
  requestBody?: unknown;
  security?: unknown[];
  'x-required-role'?: string;
  'x-public'?: boolean;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  [ERROR_BODY_EXTENSION]?: Record<string, string>;
};

/**
 * The OpenAPI document as the routes declare it, plus two truths decorators cannot state alone:
 * the bearer token is opaque (not a JWT), and each operation's description names its role.
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Warden')
      .setDescription('Governance control plane for autonomous engines. Every error answers the ErrorBodyDto shape.')
      .setVersion(version)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An opaque Warden API token (wdn_...), minted with POST /api/governance/tokens' }, BEARER_SCHEME)
      .addServer('/')
      .addSecurityRequirements(BEARER_SCHEME)
      .build(),
  );
  delete (document.components?.securitySchemes?.[BEARER_SCHEME] as { bearerFormat?: string } | undefined)?.bearerFormat;
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Operation[]) {
      withErrorBodies(operation);
      withValidationAnswer(operation);
      if (operation['x-public']) {
        operation.security = [];
        continue;
      }
      // A route that names no role needs admin (the guard fails closed); say so.
      const role = (operation['x-required-role'] ??= 'admin');
      operation.description = [operation.description, `Requires the \`${role}\` role or above.`].filter(Boolean).join('\n\n');
    }
  }
  return document;
}

/** ApiErrorBody's statuses: the richer body or the plain error body, both typed (anyOf: a block body is an error body too). */
function withErrorBodies(operation: Operation): void {
  const bodies = operation[ERROR_BODY_EXTENSION];
  if (!bodies) return;
  delete operation[ERROR_BODY_EXTENSION];
  const plain = `#/components/schemas/${ErrorBodyDto.name}`;
  for (const [status, ref] of Object.entries(bodies)) {
    const response = (operation.responses ??= {})[status] ?? { description: 'Error' };
    response.content = { 'application/json': { schema: { anyOf: [{ $ref: ref }, { $ref: plain }] } } };
    operation.responses[status] = response;
  }
}

/**
 * The global ValidationPipe answers 400 `validation_failed` for any route that takes a path or query
 * parameter or a body, before its handler runs: such an operation declares it, whether or not the
 * route's own @ApiErrors named it (a generated client then types that answer too).
 */
function withValidationAnswer(operation: Operation): void {
  const takesInput = operation.requestBody !== undefined || (operation.parameters ?? []).some((p) => p.in === 'path' || p.in === 'query');
  if (!takesInput) return;
  const responses = (operation.responses ??= {});
  const plain = { 'application/json': { schema: { $ref: `#/components/schemas/${ErrorBodyDto.name}` } } };
  const existing = responses['400'];
  if (!existing) {
    responses['400'] = { description: 'Invalid input (validation_failed names the fields): `validation_failed`', content: plain };
  } else if (!existing.description?.includes('validation_failed')) {
    existing.description = `${existing.description ?? 'Invalid input'}, \`validation_failed\``;
  }
}
