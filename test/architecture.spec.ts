import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

// The one-way dependency rule in eslint.config.js (issue 9, item 4) bites: a deliberately wrong
// import in a library file is an error, and so is a deep import past a library's index.ts.

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
