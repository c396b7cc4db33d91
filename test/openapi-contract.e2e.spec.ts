import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every class under libs/ and apps/ whose name Swagger could use as a schema name. */
function classNames(dir: string, out: Array<{ name: string; file: string }> = []): Array<{ name: string; file: string }> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) classNames(path, out);
    else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) {
      for (const m of readFileSync(path, 'utf8').matchAll(/^(?:export )?(?:abstract )?class ([A-Za-z0-9_]+)/gm)) out.push({ name: m[1], file: path });
    }
  }
  return out;
}

let t: TestApp;
let doc: any;

beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
});
afterAll(() => t?.close());

describe('the OpenAPI document tells the truth', () => {
  it('no two classes share a name: Swagger names a schema by its class and silently merges two of one name', () => {
    const all = [...classNames(join(process.cwd(), 'libs')), ...classNames(join(process.cwd(), 'apps'))];
    const byName = new Map<string, string[]>();
    for (const c of all) byName.set(c.name, [...(byName.get(c.name) ?? []), c.file]);
    const duplicates = [...byName.entries()].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(duplicates).toEqual([]);
    // and the promotion decision log is typed as promotion decisions
    const items = doc.paths['/api/governance/heimdall/promotion/decisions'].get.responses['200'].content['application/json'].schema.$ref;
    expect(doc.components.schemas[items.split('/').pop()].properties.items.items.$ref).toBe('#/components/schemas/PromotionDecisionResponseDto');
    expect(doc.components.schemas.PromotionDecisionResponseDto.properties).toHaveProperty('verdict');
  });

  it("the gate's 403 is the block body (verdict fields) or the plain error body, both typed", () => {
    const schema = doc.paths['/api/governance/gate/evaluate'].post.responses['403'].content['application/json'].schema;
    expect(schema).toEqual({ anyOf: [{ $ref: '#/components/schemas/GateBlockedResponseDto' }, { $ref: '#/components/schemas/ErrorBodyDto' }] });
    const blocked = doc.components.schemas.GateBlockedResponseDto;
    const fields = Object.keys(blocked.properties ?? {}).concat(...(blocked.allOf ?? []).map((s: any) => Object.keys(s.properties ?? {})));
    expect(fields).toEqual(expect.arrayContaining(['verdict', 'reason_codes', 'decision_id', 'error', 'statusCode']));
    expect(JSON.stringify(doc)).not.toContain('x-warden-error-body');
  });

  it('the gait intent has a schema', () => {
    const body = doc.components.schemas.EvaluateRequestDto.properties.intent;
    expect(JSON.stringify(body)).toContain('#/components/schemas/GaitIntentDto');
    const intent = doc.components.schemas.GaitIntentDto;
    expect(intent.required).toEqual(expect.arrayContaining(['tool_name', 'args', 'targets', 'context']));
    expect(intent.properties.targets.items.$ref).toBe('#/components/schemas/GaitIntentTargetDto');
    expect(JSON.stringify(intent.properties.context)).toContain('GaitIntentContextDto');
  });

  it("reserve's 201 (reserved or replayed) and 200 (dry run) are told apart by fields both carry", () => {
    const responses = doc.paths['/api/governance/risk/check-and-reserve'].post.responses;
    const created = doc.components.schemas[responses['201'].content['application/json'].schema.$ref.split('/').pop()];
    const dry = doc.components.schemas[responses['200'].content['application/json'].schema.$ref.split('/').pop()];
    expect(created.properties.dry_run.enum).toEqual([false]);
    expect(dry.properties.dry_run.enum).toEqual([true]);
    expect(created.properties.replayed.type).toBe('boolean');
    expect(dry.properties.replayed.enum).toEqual([false]);
    expect(created.required).toEqual(expect.arrayContaining(['dry_run', 'replayed']));
    expect(dry.required).toEqual(expect.arrayContaining(['dry_run', 'replayed']));
  });
});

describe('declared statuses', () => {
  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, method, op })));

  it('every operation that takes a parameter or a body declares the 400 the validation pipe can answer', () => {
    const missing = operations()
      .filter(({ op }) => op.requestBody || (op.parameters ?? []).some((p: any) => p.in === 'path' || p.in === 'query'))
      .filter(({ op }) => !op.responses?.['400'] || !JSON.stringify(op.responses['400']).includes('validation_failed'))
      .map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('the validation 400 is a real answer: a malformed path parameter or query is refused so by the operations that take one', async () => {
    const admin = undefined;
    for (const [path, query] of [
      ['/api/governance/approval/status/not-a-uuid', ''],
      ['/api/governance/gate/decisions/not-a-uuid', ''],
      ['/api/governance/gate/decisions', '?limit=0'],
      ['/api/governance/gate/stats', '?since=yesterday'],
    ]) {
      const res = await t.http('GET', path + query, undefined, { token: admin });
      expect([path + query, res.status, res.body.error]).toEqual([path + query, 400, 'validation_failed']);
      const op = doc.paths[path.replace(/not-a-uuid$/, '{id}')]?.get;
      expect(op?.responses?.['400']).toBeDefined();
    }
  });

  it('the alias routes declare the 404 they answer for an unknown request', async () => {
    for (const [method, route] of [['get', '/api/governance/approval/status/{id}'], ['post', '/api/governance/approval/approve/{id}'], ['post', '/api/governance/approval/reject/{id}']] as const) {
      const res = await t.http(method.toUpperCase(), route.replace('{id}', '00000000-0000-4000-8000-000000000000'), method === 'post' ? {} : undefined);
      expect([route, res.status]).toEqual([route, 404]);
      expect(doc.paths[route][method].responses['404']).toBeDefined();
    }
  });
});

/**
 * Every operation, called as a client that guessed wrong would call it (an unknown id in the path,
 * an empty body), answers only statuses its operation declares: a generated client types exactly
 * those. The stream is left out (it never ends); the answers' bodies are not judged here.
 */
describe('every answer is declared', () => {
  const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
  const SKIP = new Set(['GET /api/governance/stream']);

  function fill(path: string, op: any): string {
    return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const param = (op.parameters ?? []).find((p: any) => p.in === 'path' && p.name === name);
      const schema = param?.schema ?? {};
      if (schema.format === 'uuid' || /(^|_)id$/.test(name)) return UNKNOWN_UUID;
      if (schema.type === 'integer' || schema.type === 'number') return '999999';
      return 'no-such-thing';
    });
  }

  /** A body of the schema's documented examples (required properties only): it passes validation where the examples are valid, so an unknown id meets the handler. */
  function exampleBody(op: any): unknown {
    let schema = op.requestBody?.content?.['application/json']?.schema;
    if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()];
    const body: Record<string, unknown> = {};
    for (const key of schema?.required ?? []) {
      const prop = schema.properties?.[key] ?? {};
      if (prop.example !== undefined) body[key] = prop.example;
      else if (prop.enum) body[key] = prop.enum[0];
      else if (prop.type === 'string') body[key] = 'probe';
      else if (prop.type === 'number' || prop.type === 'integer') body[key] = 1;
      else if (prop.type === 'boolean') body[key] = true;
    }
    return body;
  }

  it('an unknown id, an empty body or an example body gets a status the operation declares', async () => {
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (SKIP.has(name)) continue;
        const bodies = op.requestBody ? [{}, exampleBody(op)] : [undefined];
        for (const body of bodies) {
          const res = await t.http(method.toUpperCase(), fill(path, op), body);
          if (!op.responses?.[String(res.status)] && !op.responses?.default) undeclared.push(`${name} -> ${res.status} ${res.body?.error ?? ''}`.trim());
        }
      }
    }
    expect([...new Set(undeclared)]).toEqual([]);
  });
});
