import { readFile } from 'node:fs/promises';
import { GENERATED_PATH, renderTypes } from '../packages/client/scripts/openapi-types.mjs';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * @warden/client's types are generated from the OpenAPI document and committed
 * (packages/client/src/generated/openapi.d.ts). This fails when the committed file is not what the
 * running server's /docs-json generates: a route or a DTO changed and nobody regenerated (run
 * `npm run build && npm run generate -w @warden/client`).
 */
describe('the committed client types match the running server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('regenerating from /docs-json gives the committed file, byte for byte', async () => {
    const doc = await t.http('GET', '/docs-json', undefined, { token: null });
    expect(doc.status).toBe(200);
    const generated = await renderTypes(doc.body);
    const committed = await readFile(GENERATED_PATH, 'utf8');
    if (generated !== committed) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(`packages/client/src/generated/openapi.d.ts is stale from line ${line + 1}:\n  committed: ${a[line]}\n  generated: ${b[line]}\nrun \`npm run build && npm run generate -w @warden/client\``);
    }
    expect(generated).toBe(committed);
  });

  it('and would notice a change: a route added to the document changes the output', async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    doc.paths['/api/governance/not-a-route'] = { get: { responses: { 200: { description: 'ok' } } } };
    expect(await renderTypes(doc)).not.toBe(await readFile(GENERATED_PATH, 'utf8'));
  });
});
