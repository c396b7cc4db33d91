// Nest 12 is ESM-only: jest runs with --experimental-vm-modules and @swc/jest emitting ES modules.
export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '^.+/node_modules/content-disposition/.+\\.js$': ['@swc/jest'] },
  // @fastify/static (CommonJS) requires the ESM-only content-disposition; jest on Node 20 cannot
  // require ESM, so that one package is compiled to CommonJS for the test run.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^#([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
