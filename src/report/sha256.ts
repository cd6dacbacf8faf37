/** A small synchronous SHA-256 and base64 helpers: the report's CSP hashes must be computed in the page and in node alike. */

const ROUND_CONSTANTS = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL_HASH = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** SHA-256 digest (FIPS 180-4) of `bytes`, as 32 bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const bitLength = bytes.length * 8;
  // Message, a 0x80 byte, zero padding, then the 64-bit big-endian bit length, in whole 64-byte blocks.
  const paddedLength = Math.ceil((bytes.length + 9) / 64) * 64;
  const padded = new Uint8Array(paddedLength);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(paddedLength - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(paddedLength - 4, bitLength >>> 0);

  const hash = Uint32Array.from(INITIAL_HASH);
  const w = new Uint32Array(64);
  for (let block = 0; block < paddedLength; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15] as number;
      const w2 = w[i - 2] as number;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) >>> 0;
    }
    let a = hash[0] as number;
    let b = hash[1] as number;
    let c = hash[2] as number;
    let d = hash[3] as number;
    let e = hash[4] as number;
    let f = hash[5] as number;
    let g = hash[6] as number;
    let h = hash[7] as number;
    for (let i = 0; i < 64; i++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const choice = (e & f) ^ (~e & g);
      const t1 = (h + s1 + choice + (ROUND_CONSTANTS[i] as number) + (w[i] as number)) >>> 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + majority) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    hash[0] = ((hash[0] as number) + a) >>> 0;
    hash[1] = ((hash[1] as number) + b) >>> 0;
    hash[2] = ((hash[2] as number) + c) >>> 0;
    hash[3] = ((hash[3] as number) + d) >>> 0;
    hash[4] = ((hash[4] as number) + e) >>> 0;
    hash[5] = ((hash[5] as number) + f) >>> 0;
    hash[6] = ((hash[6] as number) + g) >>> 0;
    hash[7] = ((hash[7] as number) + h) >>> 0;
  }
  const digest = new Uint8Array(32);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 8; i++) out.setUint32(i * 4, hash[i] as number);
  return digest;
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Each ASCII character's 6-bit value (−1: not base64); '-' and '_' as in the URL-safe alphabet. A table, not a search: tree bundles hold megabytes. */
const BASE64_VALUE = ((): Int8Array => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  return table;
})();

/** Standard base64 (with `=` padding) of `bytes`; no `btoa`, so it runs the same everywhere. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const triple = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += BASE64_ALPHABET[(triple >>> 18) & 63];
    out += BASE64_ALPHABET[(triple >>> 12) & 63];
    out += b1 === undefined ? '=' : BASE64_ALPHABET[(triple >>> 6) & 63];
    out += b2 === undefined ? '=' : BASE64_ALPHABET[triple & 63];
  }
  return out;
}

/** URL-safe base64 without padding (RFC 4648 §5), as used in URL fragments. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The platform's own base64 decoder where it has one (Chromium 140 on; not node 20). */
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string, options: { alphabet: 'base64' | 'base64url' }) => Uint8Array }).fromBase64;

/** Decodes standard or URL-safe base64, padded or not; throws on any other character. */
export function base64ToBytes(text: string): Uint8Array {
  if (nativeFromBase64) {
    // several times faster on the tens of MB of a tree bundle; text it refuses (mixed alphabets, a bad character) goes
    // to the decoder below, which accepts the one and names the other
    try {
      return nativeFromBase64(text, { alphabet: text.includes('-') || text.includes('_') ? 'base64url' : 'base64' });
    } catch {
      // fall through
    }
  }
  const clean = text.replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new Error(`base64 text of length ${text.length} is truncated; copy the whole link`);
  const n = clean.length;
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  const valueAt = (i: number): number => {
    const code = clean.charCodeAt(i);
    return code < 128 ? (BASE64_VALUE[code] as number) : -1;
  };
  const fail = (from: number): never => {
    let i = from;
    while (valueAt(i) >= 0) i++;
    throw new Error(`character "${clean[i] as string}" at ${i} is not base64; copy the whole link`);
  };
  // four characters make three bytes (tree bundles hold tens of MB of base64: one check per group, not per character)
  const full = n - (n % 4);
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = valueAt(i);
    const b = valueAt(i + 1);
    const c = valueAt(i + 2);
    const d = valueAt(i + 3);
    if ((a | b | c | d) < 0) fail(i);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = v >>> 16;
    out[o + 1] = (v >>> 8) & 0xff;
    out[o + 2] = v & 0xff;
    o += 3;
  }
  // the last two or three characters make one or two bytes
  if (full < n) {
    const a = valueAt(full);
    const b = valueAt(full + 1);
    const c = full + 2 < n ? valueAt(full + 2) : 0;
    if ((a | b | c) < 0) fail(full);
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (full + 2 < n) out[o] = (v >>> 8) & 0xff;
  }
  return out;
}

/** The CSP source hash of an inline script or style body: base64 SHA-256 of its UTF-8 text. */
export function sha256Base64(text: string): string {
  return bytesToBase64(sha256(new TextEncoder().encode(text)));
}
