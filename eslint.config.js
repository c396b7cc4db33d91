import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Dependencies point one way (issue 9, item 4), and the rule fails closed (issue 16, item 7): each
 * library lists the libraries it MAY import, only through their index.ts ('#name'); any other '#...'
 * specifier is an error, a library the list does not know included. Nothing under libs/ imports
 * apps/, migrations/ or seeds/:
 *
 *   platform ← approvals ← go-live ← risk-guard / heimdall ← regression-tripwire ← gate / promotion ← apps
 *   platform ← review ← apps
 *
 * - platform: config, clock, database, auth, audit, jobs, errors, outbox. Imports no library.
 * - approvals: the two-person rule, on the platform only, so that go-live (the kill switch, the
 *   bottom lever every other lever asks) may use it.
 * - risk-guard and heimdall sit side by side and never import each other.
 * - gate and promotion sit side by side.
 * - review (the Monday report) names no lever: each lever registers its section in the platform's
 *   registry, so review imports the platform only.
 * - Each library declares what it may import in its own libs/<name>/imports.json; a folder under
 *   libs/ without one may import the platform only.
 * - apps/, migrations/ and seeds/ hand migrations, repeatable SQL and seeds to the platform
 *   (PlatformModule.forRoot), so they may import any library (any folder under libs/), through
 *   its index.ts; an unknown '#name' is an error there too.
 * '#gate/server' and '#promotion/server' are the Nest side of those two libraries (their index.ts
 * stays pure for the offline CLI).
 * test/ and bench/ are exempt: they may reach inside a library.
 * Proven by test/architecture.spec.ts.
 */

const LIBS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'libs');

/** Every library there is: each folder under libs/ (a new one is known at once, and allowed nothing but the platform). */
const FOLDERS = readdirSync(LIBS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/**
 * What each library MAY import ('#name' or '#name/server'), declared by the library itself in
 * libs/<name>/imports.json ({"may_import": [...]}), so that a new library declares it in its own
 * folder. Anything else starting with '#' is an error. A declaration naming no library stops lint.
 */
const ALLOWED = Object.fromEntries(
  FOLDERS.filter((lib) => existsSync(join(LIBS_DIR, lib, 'imports.json'))).map((lib) => {
    const declared = JSON.parse(readFileSync(join(LIBS_DIR, lib, 'imports.json'), 'utf8')).may_import;
    const unknown = (Array.isArray(declared) ? declared : [declared]).filter((name) => !FOLDERS.includes(name));
    if (!Array.isArray(declared) || unknown.length) throw new Error(`libs/${lib}/imports.json: may_import must list folders under libs/ (unknown: ${unknown.join(', ') || String(declared)})`);
    return [lib, declared];
  }),
);

/** The catch-all rule's name for any file under libs/ (a folder that does not exist yet included). */
const ANY_LIBRARY = 'a library';

/** A library under libs/ without an imports.json. */
const UNLISTED = ['platform'];

const KNOWN = FOLDERS;

const LAYER_ORDER = 'platform ← approvals ← go-live ← risk-guard / heimdall ← regression-tripwire ← gate / promotion ← apps; platform ← review ← apps';

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

/** A '#' specifier that names no library at all (not '#name' nor '#name/...' of a known one). */
const unknownLibrary = (message) => ({ regex: `^#(?!(${KNOWN.join('|')})(/|$))`, message });

/**
 * The patterns of a library that may import `allowed`: each other known library by name, its own
 * name (import your own files relatively), and any unknown '#' specifier. One message per import.
 */
function allowlist(lib, allowed, listed) {
  const file = lib === ANY_LIBRARY ? 'libs/<name>/imports.json' : `libs/${lib}/imports.json`;
  const who = listed ? lib : `${lib} (no ${file})`;
  const may = allowed.length ? `it may import only ${allowed.map((n) => `#${n}`).join(', ')}` : 'it may import no library';
  const why = listed ? LAYER_ORDER : `a library without ${file} may import the platform only: declare what it needs there`;
  const denied = KNOWN.filter((name) => !allowed.includes(name)).map((name) => ({
    regex: `^#${name}(/server)?$`,
    message: name === lib ? `${who} may not import ${name}: inside a library, import its own files relatively.` : `${who} may not import ${name}: ${may} (${why}).`,
  }));
  return [...denied, unknownLibrary(`${who} may not import an unknown library: ${may} (${why}).`)];
}

/** no-restricted-imports does not see import(): a library imports another one statically, where the allowlist reads it. */
const NO_DYNAMIC_LIBRARY_IMPORT = {
  selector: 'ImportExpression[source.value=/^#/]',
  message: "Import a library statically (import ... from '#name'), so that the allowlist in eslint.config.js checks it.",
};

const restrict = (lib, allowed, listed, files = [`libs/${lib}/**/*.ts`]) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [...allowlist(lib, allowed, listed), ...UPWARD, ...DEEP_IMPORTS] }],
    'no-restricted-syntax': ['error', NO_DYNAMIC_LIBRARY_IMPORT],
  },
});

/**
 * Later entries override earlier ones for the same file: anything under libs/ first (fails closed to
 * UNLISTED), then each folder without an imports.json (the same rule, naming it), then the declared ones.
 */
const LIBRARY_RULES = [
  restrict(ANY_LIBRARY, UNLISTED, false, ['libs/**/*.ts']),
  ...KNOWN.filter((lib) => !(lib in ALLOWED)).map((lib) => restrict(lib, UNLISTED, false)),
  ...Object.entries(ALLOWED).map(([lib, allowed]) => restrict(lib, allowed, true)),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.warden/**', 'coverage/**', 'packages/*/dist/**'] },
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
  {
    files: ['apps/**/*.ts', 'migrations/**/*.ts', 'seeds/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [unknownLibrary(`No such library: '#name' must be a folder under libs/.`), ...DEEP_IMPORTS] }] },
  },
  ...LIBRARY_RULES,
);
