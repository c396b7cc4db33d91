import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Compiles the app to dist/ (incremental) so tests that spawn the real binaries run the current code. */
export function buildDist(): void {
  execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
