import { ESLint } from 'eslint';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The one-way dependency rule in eslint.config.js (issue 9, item 4) bites: a deliberately wrong
// import in a library file is an error, and so is a deep import past a library's index.ts. It is an
// allowlist (issue 16, item 7): whatever a library is not allowed, an unknown '#name' included, fails.

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nvoid x;\n`, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('dependency direction (eslint no-restricted-imports)', () => {
  it('refuses a lever import in the platform', async () => {
    const errors = await importErrors('libs/platform/src/audit/wrong.ts', "import { x } from '#risk-guard';");
    expect(errors).toEqual([expect.stringMatching(/platform may not import risk-guard/)]);
  });

  it('refuses migrations/ and seeds/ in the platform (the apps hand them in)', async () => {
    expect(await importErrors('libs/platform/src/database/wrong.ts', "import { x } from '../../../../migrations/index.js';")).toEqual([
      expect.stringMatching(/never import migrations\/ or seeds\//),
    ]);
    expect(await importErrors('libs/platform/src/database/wrong.ts', "import { x } from '../../../../seeds/index.js';")).toHaveLength(1);
  });

  it('refuses imports that run up the order between levers', async () => {
    expect(await importErrors('libs/go-live/src/wrong.ts', "import { x } from '#heimdall';")).toEqual([expect.stringMatching(/go-live may not import heimdall/)]);
    expect(await importErrors('libs/risk-guard/src/wrong.ts', "import { x } from '#heimdall';")).toEqual([expect.stringMatching(/risk-guard may not import heimdall/)]);
    expect(await importErrors('libs/heimdall/src/wrong.ts', "import { x } from '#regression-tripwire';")).toHaveLength(1);
    expect(await importErrors('libs/regression-tripwire/src/wrong.ts', "import { x } from '#gate';")).toHaveLength(1);
    expect(await importErrors('libs/approvals/src/wrong.ts', "import { x } from '#go-live';")).toHaveLength(1);
    expect(await importErrors('libs/heimdall/src/wrong.ts', "import { x } from '../../../apps/api/src/app.module.js';")).toEqual([
      expect.stringMatching(/never import apps\//),
    ]);
  });

  it('refuses deep imports past a library index.ts, from libs and apps alike', async () => {
    expect(await importErrors('libs/regression-tripwire/src/wrong.ts', "import { x } from '../../risk-guard/src/risk-guard.service.js';")).toEqual([
      expect.stringMatching(/only through its index\.ts/),
    ]);
    expect(await importErrors('apps/api/src/wrong.ts', "import { x } from '../../../libs/heimdall/src/heimdall.seed.js';")).toHaveLength(1);
    expect(await importErrors('seeds/wrong.ts', "import { x } from '../libs/heimdall/src/heimdall.seed.js';")).toHaveLength(1);
    expect(await importErrors('apps/api/src/wrong.ts', "import { x } from '#heimdall/dto/trial.dto.js';")).toHaveLength(1);
  });

  it('allows imports down the order, relative imports inside a library, and tests reaching inside', async () => {
    expect(await importErrors('libs/regression-tripwire/src/ok.ts', "import { x } from '#risk-guard';")).toEqual([]);
    expect(await importErrors('libs/go-live/src/ok.ts', "import { x } from '#approvals';")).toEqual([]);
    expect(await importErrors('libs/heimdall/src/dto/ok.ts', "import { x } from '../heimdall.constants.js';")).toEqual([]);
    expect(await importErrors('apps/api/src/ok.ts', "import { x } from '#regression-tripwire';")).toEqual([]);
    expect(await importErrors('test/ok.spec.ts', "import { x } from '../libs/risk-guard/src/risk-guard.service.js';")).toEqual([]);
  });
});

describe('the allowlist fails closed (each library\'s libs/<name>/imports.json)', () => {
  // Every folder under libs/: a new lever is covered without editing this test.
  const LIBRARIES = readdirSync(join(root, 'libs'));

  it('refuses an unknown #lib in the platform, and an allowed import passes', async () => {
    for (const unknown of ['#rate-limiter', '#no-such-library', '#rate-limiter/server']) {
      expect(await importErrors('libs/platform/src/audit/wrong.ts', `import { x } from '${unknown}';`)).toEqual([
        expect.stringMatching(/platform may not import .*it may import no library/),
      ]);
    }
    expect(await importErrors('libs/platform/src/audit/ok.ts', "import { x } from '@nestjs/common';")).toEqual([]);
    expect(await importErrors('libs/platform/src/audit/ok.ts', "import { x } from '../errors/index.js';")).toEqual([]);
    expect(await importErrors('libs/go-live/src/ok.ts', "import { x } from '#platform';")).toEqual([]);
  });

  it('an unknown #lib fails in every library and in the apps', async () => {
    for (const lib of LIBRARIES) {
      expect(await importErrors(`libs/${lib}/src/wrong.ts`, "import { x } from '#rate-limiter';")).toEqual([expect.stringMatching(new RegExp(`^.*${lib} may not import`))]);
    }
    expect(await importErrors('apps/api/src/wrong.ts', "import { x } from '#rate-limiter';")).toEqual([expect.stringMatching(/No such library/)]);
    expect(await importErrors('migrations/wrong.ts', "export { x } from '#rate-limiter';")).toHaveLength(1);
  });

  it('the platform may import no library, itself included; review names no lever', async () => {
    for (const lib of LIBRARIES) {
      expect(await importErrors('libs/platform/src/wrong.ts', `import { x } from '#${lib}';`)).toEqual([expect.stringMatching(/platform may not import platform|it may import no library/)]);
    }
    expect(await importErrors('libs/review/src/ok.ts', "import { x } from '#platform';")).toEqual([]);
    expect(await importErrors('libs/review/src/wrong.ts', "import { x } from '#risk-guard';")).toEqual([expect.stringMatching(/review may not import risk-guard/)]);
  });

  it('each library passes exactly what it is allowed, and its Nest entry', async () => {
    expect(await importErrors('libs/regression-tripwire/src/ok.ts', "import { x } from '#heimdall';")).toEqual([]);
    expect(await importErrors('libs/promotion/src/ok.ts', "import { x } from '#regression-tripwire';")).toEqual([]);
    expect(await importErrors('libs/gate/src/ok.ts', "import { x } from '#risk-guard';")).toEqual([]);
    expect(await importErrors('libs/gate/src/wrong.ts', "import { x } from '#promotion/server';")).toEqual([expect.stringMatching(/gate may not import promotion/)]);
    expect(await importErrors('libs/risk-guard/src/wrong.ts', "export * from '#regression-tripwire';")).toHaveLength(1);
    expect(await importErrors('libs/changes/src/ok.ts', "import { x } from '#approvals';")).toEqual([]);
    expect(await importErrors('libs/changes/src/wrong.ts', "import { x } from '#gate';")).toEqual([expect.stringMatching(/changes may not import gate/)]);
  });

  it('a library the config does not list may import the platform only', async () => {
    expect(await importErrors('libs/rate-limiter/src/ok.ts', "import { x } from '#platform';")).toEqual([]);
    expect(await importErrors('libs/rate-limiter/src/wrong.ts', "import { x } from '#approvals';")).toEqual([
      expect.stringMatching(/\(no libs\/.*imports\.json\) may not import approvals: it may import only #platform/),
    ]);
    expect(await importErrors('libs/rate-limiter/src/wrong.ts', "import { x } from '../../../apps/api/src/app.module.js';")).toEqual([
      expect.stringMatching(/never import apps\//),
    ]);
  });

  it('every library declares its imports in its own folder, and the declared graph has no cycle', () => {
    const libs = readdirSync(join(root, 'libs'));
    const graph = new Map(libs.map((lib) => [lib, (JSON.parse(readFileSync(join(root, 'libs', lib, 'imports.json'), 'utf8')) as { may_import: string[] }).may_import]));
    expect(LIBRARIES).toEqual(expect.arrayContaining(['platform', 'approvals', 'go-live', 'review']));
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (lib: string, path: string[]): void => {
      if (done.has(lib)) return;
      if (visiting.has(lib)) throw new Error(`import cycle: ${[...path, lib].join(' -> ')}`);
      visiting.add(lib);
      for (const dep of graph.get(lib) ?? []) visit(dep, [...path, lib]);
      visiting.delete(lib);
      done.add(lib);
    };
    for (const lib of graph.keys()) expect(() => visit(lib, [])).not.toThrow();
    expect(graph.get('platform')).toEqual([]);
  });

  it('refuses import() of a library, which no-restricted-imports would not see', async () => {
    const [result] = await eslint.lintText("export const load = () => import('#go-live');\n", { filePath: 'libs/approvals/src/wrong.ts' });
    expect(result.messages.map((m) => m.ruleId)).toEqual(['no-restricted-syntax']);
  });
});
