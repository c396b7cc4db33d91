/**
 * A connection URL fit for a log line or an error message: the password (and anything that could
 * be one) replaced by ***. Works on malformed URLs too, which is when it is needed most.
 */
export function redactUrl(input: string): string {
  try {
    const url = new URL(input);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString().replace('%2A%2A%2A', '***');
  } catch {
    // Not parseable: hide everything between "scheme://user:" and the last "@", and any query string.
    return input.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@').replace(/\?.*$/, '?***');
  }
}
