import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';

const test = suite('hash/base64');

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

test('writers always pad', () => {
  assert.is(encodeBase64(Buffer.from('a')), 'YQ==');
  assert.is(encodeBase64(Buffer.from('ab')), 'YWI=');
  assert.is(encodeBase64(Buffer.from('abc')), 'YWJj');
  assert.is(encodeBase64(new Uint8Array(0)), '');
});

test('random bytes round-trip, padded or not, with newlines anywhere', () => {
  for (let n = 0; n < 100; n++) {
    const bytes = new Uint8Array(randomBytes(n));
    const enc = encodeBase64(bytes);
    assert.equal(decodeBase64(enc), bytes);
    assert.equal(decodeBase64(enc.replace(/=+$/, '')), bytes);
    const cut = Math.floor(enc.length / 2);
    assert.equal(decodeBase64(`\n${enc.slice(0, cut)}\n\n${enc.slice(cut)}\n`), bytes);
  }
});

test('2.8 quirks: stops at the first =, drops leftover bits', () => {
  assert.is(text(decodeBase64('YWJj=garbage!!')), 'abc');
  assert.is(text(decodeBase64('YQ=Zm9v')), 'a');
  assert.is(text(decodeBase64('=YWJj')), '');
  assert.is(text(decodeBase64('YR==')), 'a');
  assert.is(text(decodeBase64('Y')), '');
});

test('other characters fail with the 2.8 text (character printed empty) and a hint', () => {
  for (const [input, shown, at] of [
    ['YW!j', '"!"', 2],
    ['YW-j', '"-"', 2],
    ['YW_j', '"_"', 2],
    ['YWJj\r', '"\\r"', 4],
    [' YWJj', '" "', 0],
    ['YWé', '"é"', 2],
  ] as const) {
    try {
      decodeBase64(input);
      assert.unreachable(input);
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_HASH_BAD_BASE64_CHAR'));
      assert.is(e.message, "invalid character in Base64 string: ''");
      assert.is(e.hint, `${shown} at position ${at} is not a base64 character`);
    }
  }
});

test.run();
