/**
 * The one place that decides what of a URL may leave the page: credentials in the query string (presigned S3,
 * GCS, Azure SAS, CloudFront, `?token=`, `?password=`…) and in the userinfo (`user:pass@`) are replaced by
 * `SECRET_MARKER`. Links, reports, notebook files, MLflow params and artifacts and every error message go
 * through `redactUrl` or `redactText`; only an explicit "include secrets" from the user skips it.
 */

/** What a secret is replaced with; URL-safe, so a redacted URL still parses. */
export const SECRET_MARKER = 'REDACTED';

// Exact (lower-cased, decoded) query parameter names that carry a credential.
const SECRET_PARAMS = new Set([
  'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'awsaccesskeyid', 'signature', 'sig',
  'x-goog-signature', 'x-goog-credential', 'googleaccessid', 'key-pair-id', 'policy', 'key', 'code',
  'auth', 'authorization', 'jwt', 'session', 'sessionid', 'private_key', 'privatekey',
]);
// Any name containing one of these words is a credential too (access_token, client_secret, api-key, passwd…).
const SECRET_WORDS = /token|secret|passw|pwd|signature|credential|api[-_]?key|access[-_]?key|sas/i;

/** Whether a query parameter called `name` (as written in the URL) carries a credential. */
export function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // a malformed escape is compared as written
  }
  // `&amp;` in HTML-escaped text leaves "amp;" in front of the name
  const lower = decoded.trim().toLowerCase().replace(/^amp;/, '');
  return SECRET_PARAMS.has(lower) || SECRET_WORDS.test(lower);
}

interface UrlParts {
  /** scheme and `//` */
  readonly head: string;
  /** the userinfo before `@`, or null */
  readonly userinfo: string | null;
  /** host, port and path */
  readonly rest: string;
  /** the query without `?`, or null */
  readonly query: string | null;
  /** the fragment with `#`, or '' */
  readonly hash: string;
}

// Split by hand: `new URL` rewrites what it parses (and refuses some URLs a server accepts), while the caller
// needs the URL back exactly as written with only the secrets replaced.
function splitUrl(url: string): UrlParts {
  const hashAt = url.indexOf('#');
  const hash = hashAt < 0 ? '' : url.slice(hashAt);
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const query = queryAt < 0 ? null : beforeHash.slice(queryAt + 1);
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(base);
  const head = scheme ? scheme[0] : '';
  const afterHead = base.slice(head.length);
  const authorityEnd = afterHead.search(/[/\\]/);
  const authority = authorityEnd < 0 ? afterHead : afterHead.slice(0, authorityEnd);
  const at = head === '' ? -1 : authority.lastIndexOf('@');
  return {
    head,
    userinfo: at < 0 ? null : authority.slice(0, at),
    rest: at < 0 ? afterHead : afterHead.slice(at + 1),
    query,
    hash,
  };
}

/** The secret values a URL carries (userinfo and credential query values), e.g. to search an export for them. */
export function urlSecrets(url: string): string[] {
  const parts = splitUrl(url);
  const out: string[] = [];
  if (parts.userinfo !== null && parts.userinfo !== '') out.push(parts.userinfo);
  for (const pair of (parts.query ?? '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const value = pair.slice(eq + 1);
    if (value !== '' && value !== SECRET_MARKER && isSecretParam(pair.slice(0, eq))) out.push(value);
  }
  return out;
}

/** Whether `url` carries a credential; ask the user before letting such a URL leave the page. */
export function hasSecrets(url: string): boolean {
  return urlSecrets(url).length > 0;
}

/** `url` with every credential (userinfo, secret query values) replaced by `SECRET_MARKER`; anything else is kept as written. */
export function redactUrl(url: string): string {
  if (!hasSecrets(url)) return url;
  const parts = splitUrl(url);
  const userinfo = parts.userinfo === null ? '' : `${SECRET_MARKER}@`;
  const query = parts.query === null
    ? ''
    : `?${parts.query.split('&').map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && pair.length > eq + 1 && isSecretParam(pair.slice(0, eq)) ? `${pair.slice(0, eq + 1)}${SECRET_MARKER}` : pair;
    }).join('&')}`;
  return `${parts.head}${userinfo}${parts.rest}${query}${parts.hash}`;
}

// A URL inside free text ends at white space, a quote, a bracket or a backtick (JSON, HTML and messages all quote URLs).
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`()[\]{}]+/gi;

/** `text` with every URL in it redacted: for error messages, params, tags and artifacts bound for elsewhere. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
