/**
 * The README and docs/*.md point at nothing that is missing: every relative markdown link (and its
 * #anchor), and every repository path written in backticks (`libs/...`, `apps/...`, ...). Pure file
 * reads, no app.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = process.cwd();

/**
 * Files another branch is writing; a link to one passes while it is absent. Once the file lands the
 * last test fails, asking for its entry to be deleted, so this list cannot rot.
 */
const PENDING = new Map<string, string>();

/** Top-level folders whose paths, written in backticks, must exist. */
const REPO_PATH = /^(?:\.\/)?(?:libs|apps|migrations|bench|test|docs|examples|seeds|bin)\/\S*$/;

/** A markdown file named alone (`README.md`, `DESIGN.md`): it must exist at the root or in docs/. */
const MARKDOWN_NAME = /^[\w.-]+\.md$/;

export interface Reference {
  line: number;
  kind: 'link' | 'path';
  target: string;
}

/** Blank out fenced code blocks (keeping line numbers): commands there are examples, not references. */
function withoutFences(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((text) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
      if (fence === null && marker) {
        fence = marker[0];
        return '';
      }
      if (fence !== null) {
        if (marker && marker[0] === fence) fence = null;
        return '';
      }
      return text;
    })
    .join('\n');
}

/** Relative links (inline and reference-style) and backticked repository paths, with their lines. */
export function extractReferences(markdown: string): Reference[] {
  const refs: Reference[] = [];
  withoutFences(markdown)
    .split('\n')
    .forEach((text, index) => {
      const line = index + 1;
      // A path that is the text of a link to another site names a file there (gait's docs/...).
      const local = text.replace(/\[[^\]]*\]\(\s*<?[a-z][a-z0-9+.-]*:[^)]*\)/gi, '');
      for (const m of local.matchAll(/`([^`]+)`/g)) {
        const code = m[1].trim();
        if (REPO_PATH.test(code) || MARKDOWN_NAME.test(code)) refs.push({ line, kind: 'path', target: code });
      }
      const prose = text.replace(/`[^`]*`/g, (s) => ' '.repeat(s.length));
      for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) refs.push({ line, kind: 'link', target: m[1] });
      const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
      if (definition) refs.push({ line, kind: 'link', target: definition[1] });
    });
  return refs.filter((r) => r.kind === 'path' || !/^[a-z][a-z0-9+.-]*:/i.test(r.target));
}

/** GitHub's heading anchors: lower-cased, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const text of withoutFences(markdown).split('\n')) {
    const html = text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g);
    for (const m of html) anchors.add(m[1]);
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const rendered = heading[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** For a path with a glob or a <placeholder>, the folder before it must exist. */
function existingPrefix(path: string): string {
  const cut = path.search(/[*<{]|\.\.\./);
  if (cut < 0) return path;
  return path.slice(0, path.lastIndexOf('/', cut) + 1);
}

function exists(repoPath: string): boolean {
  return existsSync(join(ROOT, repoPath));
}

/** Every broken reference of one markdown file (repository-relative), as "file:line target (why)". */
export function brokenReferences(file: string): string[] {
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  const broken: string[] = [];
  for (const ref of extractReferences(markdown)) {
    const where = `${file}:${ref.line} ${ref.target}`;
    if (ref.kind === 'path') {
      const path = existingPrefix(ref.target.replace(/:\d+(-\d+)?$/, ''));
      const candidates = MARKDOWN_NAME.test(path) ? [path, `docs/${path}`] : [normalize(path)];
      if (!candidates.some((c) => exists(c) || PENDING.has(c))) broken.push(`${where} (no such path)`);
      continue;
    }
    const [rawPath, anchor] = ref.target.split('#', 2);
    const path = rawPath ? normalize(relative(ROOT, join(ROOT, dirname(file), decodeURI(rawPath)))) : file;
    if (path.startsWith('..')) {
      broken.push(`${where} (outside the repository)`);
      continue;
    }
    if (!exists(path)) {
      if (!PENDING.has(path)) broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor && path.endsWith('.md') && !anchorsOf(readFileSync(join(ROOT, path), 'utf8')).has(decodeURIComponent(anchor))) {
      broken.push(`${where} (no heading #${anchor} in ${path})`);
    }
  }
  return broken;
}

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/${f}`)];

describe('documentation references', () => {
  it.each(DOCS)('%s: every relative link, anchor and backticked repository path exists', (file) => {
    expect(brokenReferences(file)).toEqual([]);
  });

  it('the README links every manual in docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(extractReferences(readme).filter((r) => r.kind === 'link').map((r) => r.target.split('#')[0]));
    const unlinked = [...DOCS.filter((f) => f.startsWith('docs/')), ...PENDING.keys()].filter((f) => !linked.has(f));
    expect(unlinked).toEqual([]);
  });

  it('pending files are still absent (delete an entry from PENDING once its file lands)', () => {
    expect([...PENDING.keys()].filter(exists)).toEqual([]);
  });
});

describe('the reference checker itself', () => {
  const sample = [
    '# Title',
    'See [the guide](docs/guide.md#setup), [web](https://example.com) and [here](#title).',
    'Code in `libs/risk-guard/src/batcher.ts`, a glob `libs/risk-guard/src/sql/*.sql.ts`, not `npm run build`.',
    'Elsewhere: [`docs/their_file.md`](https://github.com/someone/else) is not ours.',
    '```bash',
    'cat libs/ignored/in-fence.ts [x](ignored.md)',
    '```',
    '[ref]: ./other.md `DESIGN.md`',
    '## Keys, the settle loss bound — adjustments',
    '## Keys, the settle loss bound — adjustments',
  ].join('\n');

  it('finds relative links, reference definitions and repository paths, outside code fences only', () => {
    expect(extractReferences(sample)).toEqual([
      { line: 2, kind: 'link', target: 'docs/guide.md#setup' },
      { line: 2, kind: 'link', target: '#title' },
      { line: 3, kind: 'path', target: 'libs/risk-guard/src/batcher.ts' },
      { line: 3, kind: 'path', target: 'libs/risk-guard/src/sql/*.sql.ts' },
      { line: 8, kind: 'path', target: 'DESIGN.md' },
      { line: 8, kind: 'link', target: './other.md' },
    ]);
  });

  it('computes GitHub heading anchors, numbering repeats', () => {
    expect([...anchorsOf(sample)]).toEqual(['title', 'keys-the-settle-loss-bound--adjustments', 'keys-the-settle-loss-bound--adjustments-1']);
  });

  it('a glob or placeholder is checked up to the folder before it', () => {
    expect(existingPrefix('libs/risk-guard/src/sql/*.sql.ts')).toBe('libs/risk-guard/src/sql/');
    expect(existingPrefix('migrations/<timestamp>-<Name>.ts')).toBe('migrations/');
    expect(existingPrefix('libs/heimdall/src/index.ts')).toBe('libs/heimdall/src/index.ts');
  });
});
