import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { decodeBase16, encodeBase16 } from './base16.js';

const test = suite('hash/base16');

test('encodes lower case, first byte first', () => {
  assert.is(encodeBase16(Uint8Array.of(0x00, 0x01, 0xab, 0xff)), '0001abff');
  assert.is(encodeBase16(new Uint8Array(0)), '');
  // A view into a larger buffer encodes only its own bytes.
  assert.is(encodeBase16(Uint8Array.of(1, 2, 3, 4).subarray(1, 3)), '0203');
});

test('decodes either case', () => {
  assert.equal([...decodeBase16('0001abff')], [0, 1, 0xab, 0xff]);
  assert.equal([...decodeBase16('0001ABFF')], [0, 1, 0xab, 0xff]);
  assert.equal([...decodeBase16('aBcD')], [0xab, 0xcd]);
});

test('random bytes round-trip', () => {
  for (let n = 0; n < 80; n++) {
    const bytes = new Uint8Array(randomBytes(n));
    const text = encodeBase16(bytes);
    assert.match(text, /^[0-9a-f]*$/);
    assert.equal(decodeBase16(text), bytes);
    assert.equal(decodeBase16(text.toUpperCase()), bytes);
  }
});

test('rejects non-hex characters and odd lengths with Nix 2.8 message', () => {
  for (const bad of ['0g', 'zz', '0 ', '-1', '0x', 'abc', 'é0']) {
    try {
      decodeBase16(bad);
      assert.unreachable(bad);
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_HASH_BAD_BASE16'));
      assert.is(e.message, `invalid base-16 hash '${bad}'`);
    }
  }
});

test.run();
