import { chmodSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreRegistry } from '@strata/core';
import type { Store } from '@strata/core/store';
import { NIX, nix, nixFails, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import localPlugin from '../index.js';
import { addSingleFile, NATIVE_COPY_AFTER } from './single-file.js';

const test = suite('adding a big single file natively');
const nixTest = requires(test, NIX);
const registry = new StoreRegistry();
registry.register(localPlugin);

async function open(root: string): Promise<Store> {
  return registry.openStore(`local?root=${encodeURIComponent(root)}`, { env: {} });
}

function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

nixTest(
  'plain and executable files past the threshold: path, hash, mode, mtime as Nix',
  async () => {
    const t = tempDir();
    try {
      const cases = [
        { name: 'plain.bin', size: NATIVE_COPY_AFTER + 5, mode: 0o644 },
        { name: 'tool', size: 2 * NATIVE_COPY_AFTER + 4096, mode: 0o755 },
        { name: 'aligned', size: 2 * NATIVE_COPY_AFTER, mode: 0o600 },
      ];
      const root = join(t.path, 's');
      const oracle = join(t.path, 'n');
      const store = await open(root);
      for (const [i, c] of cases.entries()) {
        const file = join(t.path, c.name);
        writeFileSync(file, bytes(c.size, i + 1));
        chmodSync(file, c.mode);
        const progress: number[] = [];
        const info = await store.addToStore(file, {
          activity: { progress: (done: number) => progress.push(done) } as never,
        });
        const expected = nix('nix-store', ['--store', oracle, '--add', file]);
        assert.is(info.path, expected, c.name);
        assert.is(
          info.narHash.toString('base32'),
          nix('nix-store', ['--store', oracle, '-q', '--hash', expected]),
        );
        assert.is(
          info.narSize,
          Number(nix('nix-store', ['--store', oracle, '-q', '--size', expected])),
        );
        const ours = lstatSync(join(root, expected));
        const theirs = lstatSync(join(oracle, expected));
        assert.is(ours.mode, theirs.mode, c.name);
        assert.is(ours.mtimeMs, theirs.mtimeMs, c.name);
        assert.is(progress.at(-1), c.size);
      }
      await store.close();
      const v = nixFails('nix-store', ['--store', root, '--verify', '--check-contents']);
      assert.is(v.status, 0, v.stderr);
      assert.equal(
        readdirSync(join(root, 'nix/store')).filter((n) => n.includes('-tmp-')),
        [],
      );
    } finally {
      t.cleanup();
    }
  },
);

nixTest('a big file added flat or with another hash still takes the general path', async () => {
  const t = tempDir();
  try {
    const file = join(t.path, 'f.bin');
    writeFileSync(file, bytes(NATIVE_COPY_AFTER + 77, 9));
    const store = await open(join(t.path, 's'));
    const flat = await store.addToStore(file, { method: 'flat' });
    const sha1 = await store.addToStore(file, { hashAlgorithm: 'sha1' });
    await store.close();
    const oracle = join(t.path, 'n');
    assert.is(flat.path, nix('nix-store', ['--store', oracle, '--add-fixed', 'sha256', file]));
    assert.is(
      sha1.path,
      nix('nix-store', ['--store', oracle, '--add-fixed', '--recursive', 'sha1', file]),
    );
  } finally {
    t.cleanup();
  }
});

test('not a regular file once opened: null and nothing created; creation errors in Nix words', async () => {
  const t = tempDir();
  try {
    const target = join(t.path, 'obj');
    assert.is(await addSingleFile(t.path, target), null);
    assert.not.ok(readdirSync(t.path).includes('obj'));
    const file = join(t.path, 'f');
    writeFileSync(file, 'x');
    writeFileSync(target, 'taken');
    try {
      await addSingleFile(file, target);
      assert.unreachable('expected a failure');
    } catch (e) {
      assert.is((e as Error).message, `creating file '${target}': File exists`);
    }
  } finally {
    t.cleanup();
  }
});

test.run();
