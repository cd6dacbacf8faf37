import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, bytesToBase64Url, sha256, sha256Base64 } from './sha256.ts';
import { createRng } from '../trainers/random.ts';

function randomBytes(length: number, random: () => number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

describe('sha256', () => {
  it('equals node:crypto on random inputs of every length around the block boundaries', () => {
    const random = createRng(1);
    const lengths = [...Array.from({ length: 200 }, (_, i) => i), 1000, 4095, 4096, 65_537, 1_000_003];
    for (const length of lengths) {
      const bytes = randomBytes(length, random);
      const expected = createHash('sha256').update(bytes).digest('hex');
      expect(Buffer.from(sha256(bytes)).toString('hex'), `length ${length}`).toBe(expected);
    }
  });

  it('hashes UTF-8 text to the base64 form a CSP source expects', () => {
    for (const text of ['', 'abc', 'é ✓ 🎉 \u2028', 'x'.repeat(10_000)]) {
      expect(sha256Base64(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64'));
    }
    // FIPS 180-4 example
    expect(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex'))
      .toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('base64', () => {
  it('matches Buffer and round-trips standard and URL-safe forms', () => {
    const random = createRng(2);
    for (let length = 0; length < 70; length++) {
      const bytes = randomBytes(length, random);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(bytesToBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect([...base64ToBytes(bytesToBase64(bytes))]).toEqual([...bytes]);
      expect([...base64ToBytes(bytesToBase64Url(bytes))]).toEqual([...bytes]);
    }
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => base64ToBytes('ab$d')).toThrow(/character "\$" at 2 is not base64/);
    expect(() => base64ToBytes('abé=')).toThrow(/character "é" at 2 is not base64/);
    expect(() => base64ToBytes('abcde')).toThrow(/truncated/);
  });
});
