import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Dependencies point one way (issue 9, item 4). A library may import only the libraries below it,
 * and only through their index.ts ('#name'); nothing under libs/ imports apps/, migrations/ or seeds/:
 *
 *   platform ← approvals ← go-live ← risk-guard / heimdall ← regression-tripwire ← gate / promotion ← review ← apps
 *
 * - platform: config, clock, database, auth, audit, jobs, errors, outbox. Imports no lever.
 * - approvals: the two-person rule, on the platform only, so that go-live (the kill switch, the
 *   bottom lever every other lever asks) may use it.
 * - risk-guard and heimdall sit side by side and never import each other.
 * - gate and promotion sit side by side; review (the Monday report) reads every lever.
 * - apps/, migrations/ and seeds/ hand migrations, repeatable SQL and seeds to the platform
 *   (PlatformModule.forRoot), so they may import any library, through its index.ts.
 * '#gate/server' and '#promotion/server' are the Nest side of those two libraries (their index.ts
 * stays pure for the offline CLI).
 * test/ and bench/ are exempt: they may reach inside a library.
 * Proven by test/architecture.spec.ts.
 */
const LIBS = ['platform', 'approvals', 'go-live', 'risk-guard', 'heimdall', 'regression-tripwire', 'gate', 'promotion', 'review'];

/** What each library may NOT import (anything above it, and its siblings). */
const FORBIDDEN = {
  platform: ['approvals', 'go-live', 'risk-guard', 'heimdall', 'regression-tripwire', 'gate', 'promotion', 'review'],
  approvals: ['go-live', 'risk-guard', 'heimdall', 'regression-tripwire', 'gate', 'promotion', 'review'],
  'go-live': ['risk-guard', 'heimdall', 'regression-tripwire', 'gate', 'promotion', 'review'],
  'risk-guard': ['heimdall', 'regression-tripwire', 'gate', 'promotion', 'review'],
  heimdall: ['risk-guard', 'regression-tripwire', 'gate', 'promotion', 'review'],
  'regression-tripwire': ['gate', 'promotion', 'review'],
  gate: ['promotion', 'review'],
  promotion: ['gate', 'review'],
  review: [],
};

const LAYER_ORDER = 'platform ← approvals ← go-live ← risk-guard / heimdall ← regression-tripwire ← gate / promotion ← review ← apps';

/** Deep imports past a library's index.ts, from anywhere outside that library. */
const DEEP_IMPORTS = [
  // '#gate/server' and '#promotion/server' are those libraries' second entry point: their Nest side,
  // kept apart so that the offline CLI loads the pure evaluators ('#gate', '#promotion') without Nest.
  { regex: '^#[^/]+/(?!server$)', message: "Import a library only through its index.ts: '#name' (or its Nest entry '#name/server'), not '#name/...'." },
  { regex: '(^|/)libs/[^/]+/src(/|$)', message: "Import a library only through its index.ts ('#name'), not a file inside it." },
  { regex: '^(\\.\\./)+(?!\\.\\.)[^/]+/src(/|$)', message: "Import a library only through its index.ts ('#name'), not a file inside it." },
];

/** Nothing under libs/ reaches up into the apps or the schema lists the apps hand in. */
const UPWARD = [
  { regex: '(^|/)apps/', message: `Libraries never import apps/ (${LAYER_ORDER}).` },
  { regex: '(^|/)(migrations|seeds)/', message: 'Libraries never import migrations/ or seeds/: the apps hand them to PlatformModule.forRoot.' },
];

const restrict = (lib) => ({
  files: [`libs/${lib}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: FORBIDDEN[lib].flatMap((name) =>
          [`#${name}`, `#${name}/server`].map((spec) => ({ name: spec, message: `${lib} may not import ${name} (${LAYER_ORDER}).` })),
        ),
        patterns: [...UPWARD, ...DEEP_IMPORTS],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.warden/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description' }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly' } } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  // Apps, migrations and seeds may import any library, but only through its index.ts.
  { files: ['apps/**/*.ts', 'migrations/**/*.ts', 'seeds/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: DEEP_IMPORTS }] } },
  ...LIBS.map(restrict),
);
