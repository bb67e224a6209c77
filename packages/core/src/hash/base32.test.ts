import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { base32Length } from './algorithm.js';
import { decodeBase16 } from './base16.js';
import { BASE32_ALPHABET, decodeBase32, encodeBase32, isBase32Char } from './base32.js';

const test = suite('hash/base32');

function rejects(text: string, size: number): void {
  try {
    decodeBase32(text, size);
    assert.unreachable(text);
  } catch (e) {
    assert.ok(isStrataError(e, 'STRATA_ERR_HASH_BAD_BASE32'), String(e));
    assert.is(e.message, `invalid base-32 hash '${text}'`);
  }
}

test('alphabet: digits and lower-case letters without e, o, u, t', () => {
  assert.is(BASE32_ALPHABET, '0123456789abcdfghijklmnpqrsvwxyz');
  for (let c = 0; c < 256; c++) {
    assert.is(isBase32Char(c), BASE32_ALPHABET.includes(String.fromCharCode(c)), String(c));
  }
});

test('V3: single bytes and the bytes 01..14', () => {
  assert.is(encodeBase32(Uint8Array.of(0x00)), '00');
  assert.is(encodeBase32(Uint8Array.of(0x01)), '01');
  assert.is(encodeBase32(Uint8Array.of(0xff)), '7z');
  const bytes = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
  assert.is(encodeBase32(bytes), '2h9i448h1w70s30b184hh1q60l2060h1');
  assert.equal(decodeBase32('2h9i448h1w70s30b184hh1q60l2060h1', 20), bytes);
  assert.equal([...decodeBase32('7z', 1)], [0xff]);
});

test('V1/V2 Nix32 renderings of digests', () => {
  const sha256 = decodeBase16('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(encodeBase32(sha256), '1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s');
  const compressed = decodeBase16('2c6f6c233b11308bb34155735dae2223b00361a3');
  assert.is(encodeBase32(compressed), 'ldhh7c134ap5swsm86rqnc0i7cinqvrc');
  assert.equal(decodeBase32('ldhh7c134ap5swsm86rqnc0i7cinqvrc', 20), compressed);
});

test('the last character depends on the first byte (not a big-endian number)', () => {
  const a = new Uint8Array(32);
  a[0] = 1;
  assert.is(encodeBase32(a), `${'0'.repeat(51)}1`);
  const b = new Uint8Array(32);
  b[31] = 0x80;
  assert.is(encodeBase32(b), `1${'0'.repeat(51)}`);
});

test('random bytes of every length round-trip', () => {
  for (let n = 1; n <= 70; n++) {
    for (let k = 0; k < 5; k++) {
      const bytes = new Uint8Array(randomBytes(n));
      const text = encodeBase32(bytes);
      assert.is(text.length, base32Length(n));
      assert.equal(decodeBase32(text, n), bytes);
    }
  }
});

test('rejects characters outside the alphabet', () => {
  rejects('1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5e', 32);
  for (const c of ['e', 'o', 'u', 't', 'E', 'A', '-', ' ', 'é']) {
    rejects(`${c}${'0'.repeat(31)}`, 20);
    rejects(`${'0'.repeat(31)}${c}`, 20);
  }
});

test('rejects non-zero bits beyond the digest', () => {
  // sha256: 260 bits for 256: the first character must be 0 or 1.
  for (const c of BASE32_ALPHABET.slice(2)) rejects(`${c}${'0'.repeat(51)}`, 32);
  assert.equal(decodeBase32(`1${'0'.repeat(51)}`, 32)[31], 0x80);
  // md5: 130 bits for 128 (first character 0-7); sha512: 515 for 512 (0-3). Checked with
  // `nix hash to-base16`: md5 `7000…` → `…e0`, `8000…` fails; sha512 `3000…` → `…c0`.
  for (const c of BASE32_ALPHABET.slice(8)) rejects(`${c}${'0'.repeat(25)}`, 16);
  assert.equal(decodeBase32(`7${'0'.repeat(25)}`, 16)[15], 0xe0);
  for (const c of BASE32_ALPHABET.slice(4)) rejects(`${c}${'0'.repeat(102)}`, 64);
  assert.equal(decodeBase32(`3${'0'.repeat(102)}`, 64)[63], 0xc0);
  // sha1 and the store-path hash: 160 bits exactly, every first character is fine.
  for (const c of BASE32_ALPHABET) decodeBase32(`${c}${'0'.repeat(31)}`, 20);
});

test('rejects a length that does not fit the size', () => {
  rejects('0'.repeat(51), 32);
  rejects('0'.repeat(53), 32);
  rejects('', 20);
});

test.run();
