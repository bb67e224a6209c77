import { randomBytes, randomInt } from 'node:crypto';
import { NIX, nix, requires, throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { digestSize, HASH_ALGORITHMS, type HashAlgorithm } from './algorithm.js';
import { Hash } from './hash.js';
import { parseHash, parseHashAny, parseHashUnprefixed, parseSriHash } from './parse.js';

const test = suite('hash/parse');
const nixTest = requires(test, NIX);

const B16 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const B32 = '1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s';
const B64 = 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=';

test('every form of §1.5 parses to sha256(abc)', () => {
  const forms = [
    `sha256:${B16}`,
    `sha256:${B16.toUpperCase()}`,
    `sha256:${B32}`,
    `sha256:${B64}`,
    `sha256-${B64}`,
    `sha256-${B64.slice(0, -1)}`,
    `sha256-${B64}trailing=ignored`,
    `sha256-${B64.slice(0, 20)}\n${B64.slice(20)}`,
  ];
  for (const f of forms) {
    const h = parseHash(f);
    assert.is(h.algorithm, 'sha256', f);
    assert.is(h.toBase16(), B16, f);
    assert.is(parseHash(f, 'sha256').toBase16(), B16, f);
  }
  for (const bare of [B16, B32, B64]) assert.is(parseHash(bare, 'sha256').toBase16(), B16);
  assert.is(parseHashUnprefixed(B32, 'sha256').toBase16(), B16);
  assert.is(parseSriHash(`sha256-${B64}`).toBase16(), B16);
});

test('errors of parseHash, with Nix 2.8 messages', () => {
  throwsWith(
    () => parseHash(B16),
    'STRATA_ERR_HASH_MISSING_TYPE',
    `hash '${B16}' does not include a type`,
  );
  throwsWith(
    () => parseHash(`md5:${B16}`, 'sha256'),
    'STRATA_ERR_HASH_WRONG_TYPE',
    `hash 'md5:${B16}' should have type 'sha256'`,
  );
  throwsWith(
    () => parseHash(`sha256-${B64}`, 'sha512'),
    'STRATA_ERR_HASH_WRONG_TYPE',
    `hash 'sha256-${B64}' should have type 'sha512'`,
  );
  throwsWith(
    () => parseHash(`md5:${B16}`),
    'STRATA_ERR_HASH_WRONG_LENGTH',
    `hash '${B16}' has wrong length for hash type 'md5'`,
  );
  throwsWith(
    () => parseHash('sha256:abc'),
    'STRATA_ERR_HASH_WRONG_LENGTH',
    "hash 'abc' has wrong length for hash type 'sha256'",
  );
  throwsWith(
    () => parseHash('sha256:'),
    'STRATA_ERR_HASH_WRONG_LENGTH',
    "hash '' has wrong length for hash type 'sha256'",
  );
  throwsWith(
    () => parseHash('', 'sha256'),
    'STRATA_ERR_HASH_WRONG_LENGTH',
    "hash '' has wrong length for hash type 'sha256'",
  );
  throwsWith(
    () => parseHash('sha3:abc'),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'sha3'",
  );
  throwsWith(
    () => parseHash(`SHA256:${B16}`),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'SHA256'",
  );
  throwsWith(
    () => parseHash('foo-bar'),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'foo'",
  );
  // The colon wins over the dash.
  throwsWith(
    () => parseHash('sha256-abc:def'),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'sha256-abc'",
  );
  const badHex = `${B16.slice(0, -1)}g`;
  throwsWith(
    () => parseHash(`sha256:${badHex}`),
    'STRATA_ERR_HASH_BAD_BASE16',
    `invalid base-16 hash '${badHex}'`,
  );
  const badB32 = `8${B32.slice(1)}`;
  throwsWith(
    () => parseHash(`sha256:${badB32}`),
    'STRATA_ERR_HASH_BAD_BASE32',
    `invalid base-32 hash '${badB32}'`,
  );
  const badB32Char = `${B32.slice(0, -1)}e`;
  throwsWith(
    () => parseHash(`sha256:${badB32Char}`),
    'STRATA_ERR_HASH_BAD_BASE32',
    `invalid base-32 hash '${badB32Char}'`,
  );
  const overPadded = `${B64.slice(0, -3)}===`;
  throwsWith(
    () => parseHash(`sha256:${overPadded}`),
    'STRATA_ERR_HASH_BAD_BASE64',
    `invalid base-64 hash '${overPadded}'`,
  );
  throwsWith(() => parseHash('sha256-'), 'STRATA_ERR_HASH_BAD_SRI', "invalid SRI hash ''");
  throwsWith(
    () => parseHash(`sha256-${B16}`),
    'STRATA_ERR_HASH_BAD_SRI',
    `invalid SRI hash '${B16}'`,
  );
  throwsWith(
    () => parseHash(`sha256-${B64}AA`.replace('=', '')),
    'STRATA_ERR_HASH_BAD_SRI',
    `invalid SRI hash '${B64.slice(0, -1)}AA'`,
  );
  throwsWith(
    () => parseHash(`sha256-${B64.slice(0, 10)}!${B64.slice(11)}`),
    'STRATA_ERR_HASH_BAD_BASE64_CHAR',
    "invalid character in Base64 string: ''",
  );
});

test('parseHashAny: the longer message when no algorithm is known from context', () => {
  throwsWith(
    () => parseHashAny(B16),
    'STRATA_ERR_HASH_MISSING_TYPE_NO_CONTEXT',
    `hash '${B16}' does not include a type, nor is the type otherwise known from context`,
  );
  assert.is(parseHashAny(B16, 'sha256').toBase32(), B32);
  assert.is(parseHashAny(`sha256:${B32}`).toBase16(), B16);
  throwsWith(
    () => parseHashAny('x-y'),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'x'",
  );
});

test('parseSriHash wants the SRI form', () => {
  throwsWith(
    () => parseSriHash(`sha256:${B16}`),
    'STRATA_ERR_HASH_NOT_SRI',
    `hash 'sha256:${B16}' is not SRI`,
  );
  throwsWith(() => parseSriHash(B32), 'STRATA_ERR_HASH_NOT_SRI', `hash '${B32}' is not SRI`);
  throwsWith(
    () => parseSriHash(`sha256-${B32}`),
    'STRATA_ERR_HASH_BAD_SRI',
    `invalid SRI hash '${B32}'`,
  );
});

test('random hashes of every algorithm round-trip through every rendering', () => {
  for (const algo of HASH_ALGORITHMS) {
    for (let k = 0; k < 50; k++) {
      const h = new Hash(algo, new Uint8Array(randomBytes(digestSize(algo))));
      for (const enc of ['base16', 'base32', 'base64', 'sri'] as const) {
        assert.ok(parseHash(h.toString(enc)).equals(h), `${algo} ${enc}`);
        assert.ok(parseHash(h.toString(enc), algo).equals(h), `${algo} ${enc}`);
        if (enc !== 'sri') {
          assert.ok(parseHash(h.toString(enc, false), algo).equals(h));
          assert.ok(parseHashUnprefixed(h.toString(enc, false), algo).equals(h));
        }
      }
      assert.ok(
        parseHash(h.toString('base16').toUpperCase().replace(algo.toUpperCase(), algo)).equals(h),
      );
      assert.ok(parseSriHash(h.toSri().replace(/=+$/, '')).equals(h));
    }
  }
});

// --- against Nix 2.8 -----------------------------------------------------------------------

/** `nix hash to-base16 [--type T] -- text`: the output, or the first line of the error. */
function nixToBase16(text: string, algo?: HashAlgorithm): string {
  const args = ['--extra-experimental-features', 'nix-command', 'hash', 'to-base16'];
  if (algo) args.push('--type', algo);
  try {
    return nix('nix', [...args, '--', text]);
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
    return /^error: (.*)$/m.exec(stderr)?.[1] ?? stderr;
  }
}

function strataToBase16(text: string, algo?: HashAlgorithm): string {
  try {
    return parseHashAny(text, algo).toBase16();
  } catch (e) {
    if (isStrataError(e)) return e.message;
    throw e;
  }
}

const PRINTABLE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=:-_.!~ ';

function randomHashText(): string {
  const algo = HASH_ALGORITHMS[randomInt(4)];
  const h = new Hash(algo, new Uint8Array(randomBytes(digestSize(algo))));
  const enc = (['base16', 'base32', 'base64', 'sri'] as const)[randomInt(4)];
  let text = h.toString(enc, randomInt(3) > 0);
  switch (randomInt(9)) {
    case 0: // drop the last character
      text = text.slice(0, -1);
      break;
    case 1: // one character more
      text += PRINTABLE[randomInt(PRINTABLE.length)];
      break;
    case 2: {
      // replace one character
      const i = randomInt(text.length);
      text = text.slice(0, i) + PRINTABLE[randomInt(PRINTABLE.length)] + text.slice(i + 1);
      break;
    }
    case 3: // upper case
      text = text.toUpperCase();
      break;
    case 4: // no padding
      text = text.replace(/=+$/, '');
      break;
    case 5: // another algorithm's prefix
      text = text.replace(/^[a-z0-9]+([:-])/, `${HASH_ALGORITHMS[randomInt(4)]}$1`);
      break;
    default: // unchanged
  }
  return text;
}

nixTest('edge forms parse (or fail, with the same message) as in `nix hash to-base16`', () => {
  const fixed = [
    `sha256:${B16.toUpperCase()}`,
    `sha256-${B64.slice(0, -1)}`,
    `sha256-${B64}junk!!`,
    `sha256-${B64.slice(0, 5)}!${B64.slice(6)}`,
    `sha256:${B64.slice(0, -3)}===`,
    `sha256:${B64.slice(0, -1)}`,
    `sha256:8${B32.slice(1)}`,
    `md5:${B16}`,
    'sha256-abc:def',
    `sha256-${B16}`,
    B16,
    B64,
    '',
    'sha256:',
    'sha256-',
    '-abc',
  ];
  const cases = [...fixed, ...Array.from({ length: 24 }, randomHashText)];
  for (const text of cases) {
    for (const algo of [undefined, 'sha256'] as const) {
      if (algo === undefined && randomInt(3) > 0 && !fixed.includes(text)) continue;
      assert.is(strataToBase16(text, algo), nixToBase16(text, algo), `${text} (--type ${algo})`);
    }
  }
});

nixTest('conversions agree with nix-hash --to-base32/--to-base16 and nix hash to-*', () => {
  for (const algo of HASH_ALGORITHMS) {
    const hashes = Array.from(
      { length: 6 },
      () => new Hash(algo, new Uint8Array(randomBytes(digestSize(algo)))),
    );
    const to32 = nix('nix-hash', [
      '--type',
      algo,
      '--to-base32',
      ...hashes.map((h) => h.toBase16()),
    ]);
    assert.equal(
      to32.split('\n'),
      hashes.map((h) => h.toBase32()),
    );
    const to16 = nix('nix-hash', [
      '--type',
      algo,
      '--to-base16',
      ...hashes.map((h) => h.toBase32()),
    ]);
    assert.equal(
      to16.split('\n'),
      hashes.map((h) => h.toBase16()),
    );
    // Inputs in mixed forms, as a user would pass them.
    const inputs = hashes.map((h, i) =>
      h.toString((['base16', 'base32', 'base64', 'sri'] as const)[i % 4], i % 2 === 0),
    );
    for (const [cmd, render] of [
      ['to-sri', (h: Hash) => h.toSri()],
      ['to-base32', (h: Hash) => h.toBase32()],
      ['to-base16', (h: Hash) => h.toBase16()],
      ['to-base64', (h: Hash) => h.toBase64()],
    ] as const) {
      const out = nix('nix', ['hash', cmd, '--type', algo, '--', ...inputs]);
      assert.equal(out.split('\n'), hashes.map(render), `${cmd} ${algo}`);
      assert.equal(
        inputs.map((s) => render(parseHashAny(s, algo))),
        hashes.map(render),
        `strata ${cmd} ${algo}`,
      );
    }
  }
});

test.run();
