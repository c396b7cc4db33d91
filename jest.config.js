// Nest 12 is ESM-only: jest runs with --experimental-vm-modules and ts-jest emitting ES modules.
// (jest 29 + ts-jest rather than jest 30 + swc: those pull platform binaries that the npm mirror
// here lacks for other platforms, which breaks `npm ci`.)
const esm = ['ts-jest', { useESM: true, diagnostics: false }];

/** What every test file needs to load the sources. */
const common = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': esm },
  moduleNameMapper: {
    '^#([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // The gate's Nest side: `#gate` stays pure (the offline CLI must not load Nest).
    '^#(gate|promotion)/server$': '<rootDir>/libs/$1/src/server.ts',
    // @warden/client (packages/client) from its sources, as the root tsconfig's paths do.
    '^@warden/client$': '<rootDir>/packages/client/src/index.ts',
    '^@warden/client/(openfeature|nest)$': '<rootDir>/packages/client/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static (CommonJS) requires the ESM-only content-disposition, which jest cannot load.
    '^content-disposition$': '<rootDir>/test/support/content-disposition.cjs',
  },
};

/**
 * Two projects, so each half runs on its own: `npm run test:unit` (the pure specs beside the code,
 * no database: no PostgreSQL is started for them) and `npm run test:e2e` (test/: the real app over
 * HTTP, the embedded PostgreSQL, spawned processes). `npm test` runs both.
 */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,packages}/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
  // The default for tests that run in-process against the shared database (measured with load
  // average 10-13 on 2 cores: the app starts in a few seconds, a test takes about a second). Tests
  // that build or spawn the real binaries set their own, longer timeouts from the measured build and
  // start times (test/support/spawn.ts: BUILD_TIMEOUT_MS, READY_TIMEOUT_MS), so only they wait that long.
  testTimeout: 60000,
  maxWorkers: 2,
  // Under --experimental-vm-modules a worker keeps every finished file's module graph (Nest, TypeORM,
  // the levers): its heap grew 60-100 MB per e2e file, to GBs by the end of a run, so GC got slower
  // file after file and the last workers could not exit within jest's 500 ms ("a worker process has
  // failed to exit gracefully"). A worker past this size after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '800MB',
};
