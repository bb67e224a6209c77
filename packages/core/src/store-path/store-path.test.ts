import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { NIX, nixFails, requires, throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import {
  compareStorePaths,
  parseStorePathBaseName,
  STORE_PATH_HASH_LENGTH,
  STORE_PATH_MAX_NAME_LENGTH,
  sortStorePaths,
  validateStorePathName,
} from './store-path.js';

const test = suite('store-path/store-path');
const nixTest = requires(test, NIX);

const H = 'xrabnx1r49hn890prhx86h6iyn19p976';

test('a valid base name and its parts', () => {
  const p = parseStorePathBaseName(`${H}-hello.txt`);
  assert.is(p.hashPart, H);
  assert.is(p.name, 'hello.txt');
  assert.is(p.baseName, `${H}-hello.txt`);
  assert.is(`${p}`, `${H}-hello.txt`);
  assert.not.ok(p.isDerivation);
  assert.ok(parseStorePathBaseName(`${H}-simple.drv`).isDerivation);
  assert.ok(p.equals(parseStorePathBaseName(`${H}-hello.txt`)));
  assert.is(STORE_PATH_HASH_LENGTH, 32);
  assert.is(STORE_PATH_MAX_NAME_LENGTH, 211);
});

test('every allowed character, and the longest name', () => {
  const all = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._?=';
  assert.is(parseStorePathBaseName(`${H}-${all}`).name, all);
  assert.is(parseStorePathBaseName(`${H}-${'x'.repeat(211)}`).name.length, 211);
  for (const name of ['.hidden', '...', '-', '-.', 'a.-', '.a-b', '=', '?'])
    parseStorePathBaseName(`${H}-${name}`);
});

test('Nix 2.8 checks, in 2.8 order, with 2.8 messages', () => {
  throwsWith(
    () => parseStorePathBaseName(H),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    `'${H}' is too short to be a valid store path`,
  );
  throwsWith(
    () => parseStorePathBaseName(''),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    "'' is too short to be a valid store path",
  );
  throwsWith(
    () => parseStorePathBaseName(`${H}-`),
    'STRATA_ERR_STORE_PATH_EMPTY_NAME',
    `store path '${H}-' has an empty name`,
  );
  for (const c of ['e', 'o', 'u', 't', 'X', '-', '_', '.']) {
    const bad = `${H.slice(0, 31)}${c}-a`;
    throwsWith(
      () => parseStorePathBaseName(bad),
      'STRATA_ERR_STORE_PATH_BAD_HASH_CHAR',
      `store path '${bad}' contains illegal base-32 character '${c}'`,
    );
  }
  // The hash part is checked before the name.
  throwsWith(
    () => parseStorePathBaseName(`E${H.slice(1)}-a b`),
    'STRATA_ERR_STORE_PATH_BAD_HASH_CHAR',
    `store path 'E${H.slice(1)}-a b' contains illegal base-32 character 'E'`,
  );
  const long = `${H}-${'a'.repeat(212)}`;
  throwsWith(
    () => parseStorePathBaseName(long),
    'STRATA_ERR_STORE_PATH_NAME_TOO_LONG',
    `store path '${long}' has a name longer than 211 characters`,
  );
  // Length before characters.
  const longBad = `${H}-${' '.repeat(212)}`;
  throwsWith(
    () => parseStorePathBaseName(longBad),
    'STRATA_ERR_STORE_PATH_NAME_TOO_LONG',
    `store path '${longBad}' has a name longer than 211 characters`,
  );
  for (const c of [' ', '/', ':', '@', '~', '!', '*', '\n', '\0', 'é']) {
    const bad = `${H}-ab${c}cd`;
    throwsWith(
      () => parseStorePathBaseName(bad),
      'STRATA_ERR_STORE_PATH_BAD_NAME_CHAR',
      `store path '${bad}' contains illegal character '${c}'`,
    );
  }
  // Nix measures names in bytes.
  const wide = `${H}-${'é'.repeat(106)}`;
  throwsWith(
    () => parseStorePathBaseName(wide),
    'STRATA_ERR_STORE_PATH_NAME_TOO_LONG',
    `store path '${wide}' has a name longer than 211 characters`,
  );
});

test("master's extra rules, checked after all of 2.8's", () => {
  for (const c of ['_', '.', 'a', '+']) {
    const bad = `${H}${c}hello`;
    throwsWith(
      () => parseStorePathBaseName(bad),
      'STRATA_ERR_STORE_PATH_NO_DASH',
      `'${bad}' can't name a store path because the hash part is not followed by a '-'`,
    );
  }
  // 2.8 reports an empty name or a bad character first, so its message wins.
  throwsWith(
    () => parseStorePathBaseName(`${H}_`),
    'STRATA_ERR_STORE_PATH_EMPTY_NAME',
    `store path '${H}_' has an empty name`,
  );
  throwsWith(
    () => parseStorePathBaseName(`${H}_a b`),
    'STRATA_ERR_STORE_PATH_BAD_NAME_CHAR',
    `store path '${H}_a b' contains illegal character ' '`,
  );
  for (const name of ['.', '..', '.-', '..-', '.-x', '..-foo-bar']) {
    throwsWith(
      () => parseStorePathBaseName(`${H}-${name}`, `/nix/store/${H}-${name}`),
      'STRATA_ERR_STORE_PATH_DOT_NAME',
      `path '/nix/store/${H}-${name}' is not a valid store path: name '${name}' is not allowed`,
    );
  }
});

test('validateStorePathName for user-given names', () => {
  validateStorePathName('hello-1.0');
  throwsWith(
    () => validateStorePathName(''),
    'STRATA_ERR_STORE_PATH_EMPTY_NAME',
    "store path '' has an empty name",
  );
  throwsWith(
    () => validateStorePathName('a b', `${H}-a b`),
    'STRATA_ERR_STORE_PATH_BAD_NAME_CHAR',
    `store path '${H}-a b' contains illegal character ' '`,
  );
  throwsWith(
    () => validateStorePathName('..'),
    'STRATA_ERR_STORE_PATH_DOT_NAME',
    "path '..' is not a valid store path: name '..' is not allowed",
  );
});

test('sorting is by base name, byte-wise, without duplicates', () => {
  const names = [`${H}-b`, `${H}-B`, `0${H.slice(1)}-z`, `${H}-a`, `${H}-b`];
  const sorted = sortStorePaths(names.map((n) => parseStorePathBaseName(n)));
  assert.equal(
    sorted.map((p) => p.baseName),
    [`0${H.slice(1)}-z`, `${H}-B`, `${H}-a`, `${H}-b`],
  );
  const a = parseStorePathBaseName(`${H}-a`);
  assert.is(compareStorePaths(a, a), 0);
  assert.is(compareStorePaths(a, sorted[0]), 1);
});

// --- against Nix 2.8 ---------------------------------------------------------------------

const ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';
const NOISE = 'eoutAZ09az-_.+?=~ !@:';

function randomBaseName(): string {
  let hash = Array.from({ length: 32 }, () => ALPHABET[randomInt(32)]).join('');
  let name = Array.from({ length: randomInt(0, 12) }, () => 'aZ09+-._?='[randomInt(10)]).join('');
  let sep = '-';
  switch (randomInt(8)) {
    case 0:
      hash = hash.slice(0, randomInt(32));
      break;
    case 1: {
      const i = randomInt(32);
      hash = hash.slice(0, i) + NOISE[randomInt(NOISE.length)] + hash.slice(i + 1);
      break;
    }
    case 2:
      name += NOISE[randomInt(NOISE.length)];
      break;
    case 3:
      sep = NOISE[randomInt(NOISE.length)];
      break;
    case 4:
      name = ['.', '..', '.-x', '..-y', '.x', '..z'][randomInt(6)];
      break;
    case 5:
      name = 'n'.repeat(randomInt(209, 214));
      break;
    default:
  }
  return hash + sep + name;
}

nixTest(
  'random and mutated base names: rejected like Nix 2.8, or only by the master rules',
  async () => {
    await withTempDir(async (root) => {
      const store = join(root, 'store');
      for (let k = 0; k < 30; k++) {
        const base = randomBaseName();
        if (base.includes('/') || base === '') continue;
        const path = `/nix/store/${base}`;
        const r = nixFails('nix-store', ['--store', store, '-q', '--hash', path]);
        const nixMessage = /^error: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr;
        const nixAccepts = nixMessage === `path '${path}' is not valid`;
        let ours: string | null = null;
        try {
          parseStorePathBaseName(base, path);
        } catch (e) {
          assert.ok(isStrataError(e));
          ours = e.message;
          if (nixAccepts) {
            assert.ok(
              e.code === 'STRATA_ERR_STORE_PATH_NO_DASH' ||
                e.code === 'STRATA_ERR_STORE_PATH_DOT_NAME',
              `${base}: ${e.message}`,
            );
          }
        }
        if (!nixAccepts) assert.is(ours, nixMessage, base);
      }
    });
  },
);

test.run();
