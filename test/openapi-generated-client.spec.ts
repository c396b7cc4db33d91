import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);
const ROOT = process.cwd();

/**
 * A client generated from the running app's /docs-json with a standard generator
 * (openapi-typescript + openapi-fetch) compiles with a small engine that uses it
 * (test/fixtures/generated-client/engine.ts): reserve -> settle, a gate evaluation with its 202
 * and 403 branches, an approval, the decision log.
 */
describe('a client generated from /docs-json type-checks with an engine that uses it', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(join(tmpdir(), 'warden-generated-client-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const typecheck = async (): Promise<string> => {
    try {
      await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir, timeout: 120_000 });
      return '';
    } catch (e) {
      return String((e as { stdout?: string }).stdout ?? e);
    }
  };

  it('generates, then tsc --noEmit passes (strict)', async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    const ast = await openapiTS(doc);
    await writeFile(join(dir, 'api.d.ts'), astToString(ast));
    await copyFile(join(ROOT, 'test/fixtures/generated-client/engine.ts'), join(dir, 'engine.ts'));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          lib: ['ES2022', 'DOM'],
          // the temp dir has no node_modules: resolve the runtime client from the repository's
          paths: { 'openapi-fetch': [join(ROOT, 'node_modules/openapi-fetch/dist/index.d.ts')] },
        },
        files: ['engine.ts', 'api.d.ts'],
      }),
    );
    expect(await typecheck()).toBe('');
  }, 180_000);

  it('and would fail if the document lied: a 403 without the verdict fields does not compile', async () => {
    const doc = (await t.http('GET', '/docs-json', undefined, { token: null })).body;
    doc.paths['/api/governance/gate/evaluate'].post.responses['403'].content['application/json'].schema = { $ref: '#/components/schemas/ErrorBodyDto' };
    await writeFile(join(dir, 'api.d.ts'), astToString(await openapiTS(doc)));
    const out = await typecheck();
    expect(out).toMatch(/engine\.ts\(4[0-9],\d+\): error TS/);
    expect(out).toMatch(/verdict|reason_codes|decision_id/);
  }, 180_000);
});
