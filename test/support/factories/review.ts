import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpResult, TestApp } from '../test-app.js';

/** Weekly review test helpers: the routes over real HTTP, section lookup, and saving a page for the console helper. */
export const REVIEWS = '/api/governance/reviews';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function reviewApi(t: TestApp, token?: string) {
  const opts = token ? { token } : {};
  return {
    list: (query = ''): Promise<HttpResult> => t.http('GET', `${REVIEWS}${query}`, undefined, opts),
    latest: (): Promise<HttpResult> => t.http('GET', `${REVIEWS}/latest`, undefined, opts),
    get: (week: string): Promise<HttpResult> => t.http('GET', `${REVIEWS}/${week}`, undefined, opts),
    html: (week: string): Promise<HttpResult<string>> => t.http('GET', `${REVIEWS}/${week}.html`, undefined, opts),
    generate: (week: string, as = token): Promise<HttpResult> => t.http('POST', `${REVIEWS}/${week}/generate`, undefined, as ? { token: as } : {}),
  };
}

/** The `data` of one section of a report body. */
export function section(report: any, key: string): any {
  const s = report.sections.find((x: any) => x.key === key);
  if (!s) throw new Error(`no section ${key} in ${JSON.stringify(report.sections.map((x: any) => x.key))}`);
  return s.status === 'ok' ? s.data : s;
}

/** Writes the page under test-output/ (gitignored) for the console helper to screenshot; returns the path. */
export function saveReviewPage(week: string, html: string): string {
  const dir = join(process.cwd(), 'test-output');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `review-${week}.html`);
  writeFileSync(path, html);
  return path;
}
