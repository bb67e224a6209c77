import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import {
  base16Length,
  base32Length,
  base64Length,
  digestSize,
  HASH_ALGORITHMS,
  isHashAlgorithm,
  parseHashAlgorithm,
} from './algorithm.js';

const test = suite('hash/algorithm');

test('sizes and encoded lengths of every algorithm (§1.1 table)', () => {
  const table = {
    md5: [16, 32, 26, 24],
    sha1: [20, 40, 32, 28],
    sha256: [32, 64, 52, 44],
    sha512: [64, 128, 103, 88],
  };
  assert.equal([...HASH_ALGORITHMS], ['md5', 'sha1', 'sha256', 'sha512']);
  for (const algo of HASH_ALGORITHMS) {
    const n = digestSize(algo);
    assert.equal([n, base16Length(n), base32Length(n), base64Length(n)], table[algo], algo);
  }
});

test('names are exact and lower case', () => {
  for (const algo of HASH_ALGORITHMS) assert.is(parseHashAlgorithm(algo), algo);
  for (const bad of ['SHA256', 'Sha1', 'sha3', 'blake3', '', ' sha256', 'sha256 ', 'toString']) {
    assert.not.ok(isHashAlgorithm(bad), bad);
    try {
      parseHashAlgorithm(bad);
      assert.unreachable(bad);
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_HASH_UNKNOWN_ALGO'));
      assert.is(e.message, `unknown hash algorithm '${bad}'`);
    }
  }
});

test.run();
