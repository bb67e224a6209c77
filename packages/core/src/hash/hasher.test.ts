import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { HASH_ALGORITHMS } from './algorithm.js';
import { createHasher, hashBytes, hashFile, hashStream } from './hasher.js';

const test = suite('hash/hasher');
const nixTest = requires(test, NIX);
const MiB = 1 << 20;

test('hashBytes: strings are hashed as UTF-8', () => {
  assert.is(
    hashBytes('sha256', 'abc').toBase16(),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.ok(hashBytes('sha1', 'é').equals(hashBytes('sha1', Uint8Array.of(0xc3, 0xa9))));
});

test('incremental hashing over random splits equals one-shot hashing, and counts bytes', async () => {
  for (const algo of HASH_ALGORITHMS) {
    const data = new Uint8Array(randomBytes(randomInt(1, 5000)));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < data.length; ) {
      const n = randomInt(0, 300);
      chunks.push(data.subarray(i, i + n));
      i += n;
    }
    const h = createHasher(algo);
    for (const c of chunks) h.update(c);
    assert.is(h.size, data.length);
    assert.is(h.algorithm, algo);
    const expected = hashBytes(algo, data);
    assert.ok(h.digest().equals(expected), algo);
    async function* gen() {
      yield* chunks;
    }
    assert.ok((await hashStream(algo, gen())).equals(expected));
    assert.ok((await hashStream(algo, chunks)).equals(expected));
  }
});

test('hashFile: missing files, directories and unreadable paths fail with the path', async () => {
  await withTempDir(async (dir) => {
    const missing = join(dir, 'missing');
    try {
      await hashFile('sha256', missing);
      assert.unreachable();
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_IO_FAILED'));
      assert.is(e.message, `opening file '${missing}': No such file or directory`);
    }
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    try {
      await hashFile('sha256', sub);
      assert.unreachable();
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_IO_FAILED'));
      assert.is(e.message, `reading file '${sub}': Is a directory`);
    }
  });
});

test('hashFile reads non-regular files to the end (a FIFO)', async () => {
  await withTempDir(async (dir) => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const data = new Uint8Array(randomBytes(3 * MiB + 17));
    const writer = import('node:fs/promises').then((fs) => fs.writeFile(fifo, data));
    const h = await hashFile('sha256', fifo);
    await writer;
    assert.ok(h.equals(hashBytes('sha256', data)));
  });
});

nixTest(
  'hashFile agrees with nix-hash --flat (base16 and --base32) on fresh random files',
  async () => {
    await withTempDir(async (dir) => {
      // Sizes around the 1 MiB read buffer, where an off-by-one would show.
      const sizes = [0, 1, 55, 64, 4096, MiB - 1, MiB, MiB + 1, 2 * MiB, randomInt(1, 3 * MiB)];
      const files = sizes.map((size, i) => {
        const file = join(dir, `f${i}`);
        writeFileSync(file, randomBytes(size));
        return file;
      });
      const link = join(dir, 'link');
      symlinkSync(files[3], link);
      files.push(link);
      for (const algo of HASH_ALGORITHMS) {
        const ours = await Promise.all(files.map((f) => hashFile(algo, f)));
        const b16 = nix('nix-hash', ['--flat', '--type', algo, ...files]).split('\n');
        const b32 = nix('nix-hash', ['--flat', '--base32', '--type', algo, ...files]).split('\n');
        assert.equal(
          ours.map((h) => h.toBase16()),
          b16,
          algo,
        );
        assert.equal(
          ours.map((h) => h.toBase32()),
          b32,
          algo,
        );
      }
    });
  },
);

test.run();
