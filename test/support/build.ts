import { execFileSync } from 'node:child_process';
import { BUILD_TIMEOUT_MS } from './spawn.js';

/**
 * Makes dist/ current so tests that spawn the real binaries run the current code. Builds once per
 * change, not once per test file: bin/ensure-build.mjs compiles only when a source is newer than the
 * last good build (a few ms otherwise), and its lock makes a second jest worker wait for the first
 * one's build instead of compiling into dist/ alongside it. Call it from a beforeAll with
 * BUILD_TIMEOUT_MS as that hook's timeout.
 */
export function buildDist(): void {
  execFileSync(process.execPath, ['bin/ensure-build.mjs', '--quiet'], { stdio: 'inherit', timeout: BUILD_TIMEOUT_MS });
}

export { BUILD_TIMEOUT_MS };
