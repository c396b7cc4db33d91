import { applyDecorators, Header } from '@nestjs/common';

/** What every HTML page Warden serves carries, whatever it draws: no sniffing, no framing, no leaked URLs, no caching. */
const PAGE_BASE = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // same-origin, not no-referrer: with no-referrer Chromium posts forms with `Origin: null`, which the cross-site check refuses.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** The console: same-origin everything, nothing is fetched from anywhere else, nothing inline runs, no framing. */
export const CONSOLE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  ...PAGE_BASE,
};

/**
 * A self-contained document (the weekly review page): nothing runs and nothing is fetched at all.
 * Its styles are inline by design (the page is a file one can keep), and so are the SVG charts'
 * style attributes, so inline style is the one thing allowed; every value on it is escaped text.
 */
export const DOCUMENT_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  ...PAGE_BASE,
};

/** Sets these headers on a route's answer (a Nest @Header per header). */
export function PageHeaders(headers: Readonly<Record<string, string>>) {
  return applyDecorators(...Object.entries(headers).map(([name, value]) => Header(name, value)));
}
