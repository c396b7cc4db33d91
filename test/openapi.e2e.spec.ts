import { createConfig, lintFromString } from '@redocly/openapi-core';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let doc: any;

beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
});
afterAll(() => t?.close());

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the OpenAPI document', () => {
  it('passes the Redocly linter (recommended rules) with no errors', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  });

  it('declares the bearer token opaque, not a JWT', () => {
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.securitySchemes.bearer.bearerFormat).toBeUndefined();
  });

  it('gives every authenticated route its role, a success response type and the ErrorBody for errors', () => {
    const missing: string[] = [];
    for (const { name, op } of operations()) {
      // The probes are public (no role), like /health.
      if (name.startsWith('GET /health') || name.startsWith('GET /metrics') || name === 'GET /livez' || name === 'GET /readyz') continue;
      if (!op['x-required-role']) missing.push(`${name}: no role`);
      const success = Object.entries(op.responses ?? {}).filter(([s]) => s.startsWith('2'));
      // JSON, or what the route produces (the review page's text/html, the decision log's x-ndjson), with a schema.
      if (!success.some(([, r]: [string, any]) => Object.values(r.content ?? {}).some((c: any) => c?.schema))) missing.push(`${name}: no success schema`);
      const errors = Object.entries(op.responses ?? {}).filter(([s]) => /^[45]/.test(s));
      if (!errors.length || errors.some(([, r]: [string, any]) => !JSON.stringify(r).includes('ErrorBodyDto'))) missing.push(`${name}: errors without ErrorBody`);
    }
    expect(missing).toEqual([]);
  });

  it('types nullable fields as what they are, never as a bare object', () => {
    const bare: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, any>)) {
      for (const [field, prop] of Object.entries((schema.properties ?? {}) as Record<string, any>)) {
        // A nullable reference ({type: object, nullable, allOf: [$ref]}, OpenAPI 3.0's way) is typed.
        const typed = prop.properties || prop.additionalProperties || prop.$ref || prop.allOf?.some((s: any) => s.$ref);
        if (prop.type === 'object' && !typed && field !== 'details') bare.push(`${name}.${field}`);
      }
    }
    expect(bare).toEqual([]);
  });
});
