import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../auth/auth.decorators.js';

type Operation = { description?: string; security?: unknown[]; 'x-required-role'?: string; 'x-public'?: boolean };

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
