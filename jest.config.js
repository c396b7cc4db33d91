// Nest 12 is ESM-only: jest runs with --experimental-vm-modules and ts-jest emitting ES modules.
// (jest 29 + ts-jest rather than jest 30 + swc: those pull platform binaries that the npm mirror
// here lacks for other platforms, which breaks `npm ci`.)
const esm = ['ts-jest', { useESM: true, diagnostics: false }];

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': esm },
  moduleNameMapper: {
    '^#([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // The gate's Nest side: `#gate` stays pure (the offline CLI must not load Nest).
    '^#gate/server$': '<rootDir>/libs/gate/src/server.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static (CommonJS) requires the ESM-only content-disposition, which jest cannot load.
    '^content-disposition$': '<rootDir>/test/support/content-disposition.cjs',
  },
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60000,
  maxWorkers: 2,
};
