/** Presigned URLs (S3, GCS, Azure SAS, CloudFront) carry a credential in the query string; links must not leak it. */

// Lower-cased query parameter names that make a URL a credential: AWS SigV4/V2, Google, Azure SAS, CloudFront.
const SIGNATURE_PARAMS = new Set([
  'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'awsaccesskeyid', 'signature',
  'x-goog-signature', 'x-goog-credential', 'googleaccessid', 'sig', 'key-pair-id', 'policy',
]);

/** Whether `url` carries a signature or credential in its query string; ask the user before sharing such a URL. */
export function hasSignature(url: string): boolean {
  const query = queryOf(url);
  if (query === '') return false;
  for (const pair of query.split('&')) {
    const name = (pair.split('=')[0] ?? '').toLowerCase();
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // a malformed escape is kept as written; it is only compared, never used
    }
    if (SIGNATURE_PARAMS.has(decoded)) return true;
  }
  return false;
}

/** `url` without its query string when that carries a signature; any other URL is returned unchanged. */
export function stripSignature(url: string): string {
  if (!hasSignature(url)) return url;
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  return queryAt < 0 ? url : beforeHash.slice(0, queryAt) + (hashAt < 0 ? '' : url.slice(hashAt));
}

function queryOf(url: string): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  return queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);
}
