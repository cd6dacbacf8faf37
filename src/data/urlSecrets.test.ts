import { describe, expect, it } from 'vitest';
import { SECRET_MARKER, hasSecrets, isSecretParam, redactText, redactUrl, urlSecrets } from './urlSecrets.ts';

const S3 = 'https://bucket.s3.eu-west-1.amazonaws.com/orders.parquet?X-Amz-Algorithm=AWS4-HMAC-SHA256'
  + '&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z'
  + '&X-Amz-Expires=3600&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef';

describe('urlSecrets', () => {
  it('replaces every credential of a presigned S3 URL and keeps the rest as written', () => {
    const out = redactUrl(S3);
    for (const secret of ['AKIAEXAMPLE', 'FwoGZXIvYXdzEXAMPLE', '0123456789abcdef']) expect(out).not.toContain(secret);
    expect(out).toBe('https://bucket.s3.eu-west-1.amazonaws.com/orders.parquet?X-Amz-Algorithm=AWS4-HMAC-SHA256'
      + `&X-Amz-Credential=${SECRET_MARKER}&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600`
      + `&X-Amz-Security-Token=${SECRET_MARKER}&X-Amz-SignedHeaders=host&X-Amz-Signature=${SECRET_MARKER}`);
    expect(hasSecrets(out)).toBe(false);
  });

  it('knows the credentials of GCS, Azure, CloudFront, tokens, passwords and keys, and not ordinary parameters', () => {
    for (const name of ['X-Goog-Signature', 'sig', 'Key-Pair-Id', 'token', 'access_token', 'api-key', 'apiKey', 'password',
      'client_secret', 'key', 'X%2DAmz%2DSignature', 'SharedAccessSignature']) {
      expect(isSecretParam(name), name).toBe(true);
    }
    for (const name of ['download', 'X-Amz-Date', 'X-Amz-Expires', 'versionId', 'sv', 'se', 'format', 'page']) {
      expect(isSecretParam(name), name).toBe(false);
    }
  });

  it('replaces userinfo whole, the user name too', () => {
    expect(redactUrl('https://alice:hunter2@data.example.org/o.parquet?x=1'))
      .toBe(`https://${SECRET_MARKER}@data.example.org/o.parquet?x=1`);
    expect(urlSecrets('https://alice:hunter2@data.example.org/o.parquet?token=t0k')).toEqual(['alice:hunter2', 't0k']);
    // an @ in the path is not userinfo
    expect(redactUrl('https://example.org/users/@me/o.parquet')).toBe('https://example.org/users/@me/o.parquet');
  });

  it('leaves URLs without credentials untouched, fragments included', () => {
    for (const url of ['https://example.org/o.parquet?download=1', 'https://example.org/o.parquet', 'https://example.org/o.parquet#sig=1', '/data/demo.parquet']) {
      expect(redactUrl(url)).toBe(url);
      expect(hasSecrets(url)).toBe(false);
    }
  });

  it('redacts every URL inside free text: messages, JSON and escaped HTML', () => {
    const message = `could not fetch ${S3} (connection reset); and "https://u:p4ss@h.example/x?token=abc" failed`;
    const out = redactText(message);
    for (const secret of ['0123456789abcdef', 'p4ss', 'abc"']) expect(out).not.toContain(secret);
    expect(out).toContain('(connection reset)');
    const json = JSON.stringify({ data_url: 'https://h.example/o.parquet?a=1&token=s3cr3t' });
    expect(redactText(json)).toBe(JSON.stringify({ data_url: `https://h.example/o.parquet?a=1&token=${SECRET_MARKER}` }));
    expect(redactText('<a href="https://h.example/o?a=1&amp;sig=s3cr3t">')).not.toContain('s3cr3t');
  });
});
