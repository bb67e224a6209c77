import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { StoreRegistry } from '@strata/core';
import type { Store } from '@strata/core/store';
import { NIX, nix, nixFails, ROOT, rejectsWith, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import localPlugin from '../index.js';

const test = suite('adding trees with files created in parallel');
const nixTest = requires(test, NIX);
const rootTest = requires(test, ROOT);
const registry = new StoreRegistry();
registry.register(localPlugin);

async function open(root: string): Promise<Store> {
  return registry.openStore(`local?root=${encodeURIComponent(root)}`, { env: {} });
}

/** Type, mode, size and mtime of everything under `dir`, relative to it (names as bytes). */
function metadata(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: Buffer, rel: string) => {
    const st = lstatSync(p);
    const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f';
    const mode = st.isSymbolicLink() ? '' : (st.mode & 0o7777).toString(8);
    out.push(`${rel} ${kind} ${mode} ${st.size} ${st.mtimeMs}`);
    if (!st.isDirectory()) return;
    const names = readdirSync(p, { encoding: 'buffer' }).sort(Buffer.compare);
    for (const n of names)
      walk(Buffer.concat([p, Buffer.from('/'), n]), `${rel}/${n.toString('hex')}`);
  };
  walk(Buffer.from(dir), '.');
  return out;
}

/**
 * A tree of `dirs` × `files` files of varied sizes (empty, small, over the 1 MiB batching
 * limit), executables, symlinks, empty and nested directories, names with odd bytes.
 */
function makeTree(dir: string, dirs: number, files: number): string {
  const t = join(dir, 'tree');
  const pool = Buffer.alloc(1_200_000);
  for (let i = 0; i < pool.length; i++) pool[i] = (i * 7919 + (i >> 11)) & 0xff;
  for (let d = 0; d < dirs; d++) {
    const sub = join(t, `d${d}`, `nested-${d % 3}`);
    mkdirSync(sub, { recursive: true });
    mkdirSync(join(t, `d${d}`, 'empty'));
    for (let i = 0; i < files; i++) {
      const size = i % 13 === 0 ? 0 : (i * 104_729 + d) % 20_000;
      writeFileSync(join(sub, `f-${i}.txt`), pool.subarray(i, i + size), {
        mode: i % 5 === 0 ? 0o755 : 0o644,
      });
    }
    symlinkSync(`nested-${d % 3}/f-1.txt`, join(t, `d${d}`, 'link'));
  }
  writeFileSync(join(t, 'big.bin'), pool.subarray(0, 1_100_000));
  writeFileSync(Buffer.from(`${t}/odd-\xe9-\u00e9`, 'latin1'), 'latin-1 name\n');
  writeFileSync(join(t, 'top'), 'top\n');
  return t;
}

nixTest('a tree of hundreds of files: the path, hash and every file as Nix adds it', async () => {
  const t = tempDir();
  try {
    const src = makeTree(t.path, 12, 40);
    const store = await open(join(t.path, 's'));
    const info = await store.addToStore(src);
    await store.close();
    const oracle = join(t.path, 'n');
    const expected = nix('nix-store', ['--store', oracle, '--add', src]);
    assert.is(info.path, expected);
    assert.is(
      info.narHash.toString('base32'),
      nix('nix-store', ['--store', oracle, '-q', '--hash', expected]),
    );
    const v = nixFails('nix-store', ['--store', join(t.path, 's'), '--verify', '--check-contents']);
    assert.is(v.status, 0, v.stderr);
    assert.equal(metadata(join(t.path, 's', expected)), metadata(join(oracle, expected)));
    // Nothing is left over next to the object.
    assert.equal(
      readdirSync(join(t.path, 's/nix/store')).filter((n) => n.includes('-tmp-')),
      [],
    );
  } finally {
    t.cleanup();
  }
});

rootTest(
  'a file in the tree that cannot be created fails the add with its path; nothing is left',
  async () => {
    const t = tempDir();
    try {
      const src = makeTree(t.path, 2, 5);
      const root = join(t.path, 's');
      const store = await open(root);
      await store.addTextToStore('seed', 'seed');
      // A file-size limit makes a write fail inside a batch: run in a child with RLIMIT_FSIZE.
      writeFileSync(join(src, 'd1', 'nested-1', 'huge'), Buffer.alloc(600_000, 1));
      rmSync(join(src, 'big.bin'));
      await store.close();
      const r = spawnSync(
        'sh',
        [
          '-c',
          `ulimit -f 512 && exec "$0" --conditions=source --import tsx --input-type=module -e "$1"`,
          process.execPath,
          `const { StoreRegistry } = await import('@strata/core');
         const { default: p } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).pathname)});
         const r = new StoreRegistry(); r.register(p);
         const s = await r.openStore(${JSON.stringify(`local?root=${encodeURIComponent(root)}`)}, { env: {} });
         process.on('SIGXFSZ', () => {});
         try { await s.addToStore(${JSON.stringify(src)}); } catch (e) { console.log(e.message); }`,
        ],
        { encoding: 'utf8', cwd: new URL('../../../..', import.meta.url).pathname },
      );
      assert.match(
        r.stdout,
        /^writing to file '.*\/d1\/nested-1\/huge': File too large$/m,
        r.stdout + r.stderr,
      );
      const left = readdirSync(join(root, 'nix/store')).filter((n) => n.includes('-tmp-'));
      assert.equal(left, []);
      const again = await open(root);
      assert.is((await again.queryAllValidPaths()).length, 1);
      await again.close();
    } finally {
      t.cleanup();
    }
  },
);

test('unreadable and unsupported files in a big tree: the same errors, nothing left', async () => {
  const t = tempDir();
  try {
    const src = makeTree(t.path, 3, 30);
    const root = join(t.path, 's');
    const store = await open(root);
    mkdirSync(join(src, 'd2', 'zz'));
    chmodSync(join(src, 'd2', 'zz'), 0o000);
    if (process.getuid?.() !== 0) {
      await rejectsWith(
        () => store.addToStore(src),
        'STRATA_ERR_IO_FAILED',
        `opening directory '${join(src, 'd2', 'zz')}': Permission denied`,
      );
      assert.equal(readdirSync(join(root, 'nix/store')), []);
    }
    chmodSync(join(src, 'd2', 'zz'), 0o755);
    await store.close();
  } finally {
    t.cleanup();
  }
});

test.run();
