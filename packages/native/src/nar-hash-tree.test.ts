// narHashTree (the add-on's threaded NAR hasher) against core's dumper and against Nix 2.8's
// `nix-hash`: odd names and sort order, executables, symlinks, empty files and directories,
// files either side of the small-file limit, more items than one batch and more bytes than the
// read-ahead allows; and its failures, which must read as the dumper's.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStrataError, narHashOfPath } from '@strata/core';
import { NIX, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { narHashOfObject } from './nar-hash-of-object.js';
import { narHashTree } from './nar-hash-tree.js';

const test = suite('narHashTree: NAR hashes of trees, threaded');
const nixTest = requires(test, NIX);
const dir = tempDir('strata-native-tree-');
test.after(() => dir.cleanup());

function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const MiB = 1 << 20;

/** A tree with a bit of everything (returns its path). */
function mixedTree(name: string): string {
  const root = join(dir.path, name);
  mkdirSync(join(root, 'sub', 'deeper', 'deepest'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  for (const n of ['B', 'a', '_', '~', '0', 'a b', 'ü', 'new\nline', '.hidden']) {
    writeFileSync(join(root, n), `file ${n}\n`);
  }
  writeFileSync(Buffer.from(`${root}/\xff\xfe-bytes`, 'latin1'), 'not UTF-8 name');
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  writeFileSync(join(root, 'sub', 'deeper', 'deepest', 'leaf'), bytes(12_345, 7));
  symlinkSync('../B', join(root, 'sub', 'link'));
  symlinkSync('/nowhere/at/all', join(root, 'sub', 'dangling'));
  symlinkSync('deeper', join(root, 'sub', 'dir-link'));
  // Either side of the small-file limit (read ahead by readers / streamed by the hasher).
  writeFileSync(join(root, 'exactly-1MiB'), bytes(MiB, 1));
  writeFileSync(join(root, 'over-1MiB'), bytes(MiB + 1, 2));
  writeFileSync(join(root, 'big'), bytes(5 * MiB + 17, 3));
  return root;
}

async function sameAsDumper(path: string): Promise<string> {
  const native = await narHashTree(path, 'sha256');
  const js = await narHashOfPath(path, 'sha256', { offloadAfterBytes: Number.POSITIVE_INFINITY });
  assert.is(native.hash.toString('base16'), js.hash.toString('base16'), path);
  assert.is(native.size, js.size, path);
  return native.hash.toString('base16');
}

const nixHash = (path: string, algo = 'sha256') =>
  execFileSync('nix-hash', ['--type', algo, path], { encoding: 'utf8' }).trim();

test('a mixed tree, a single file, a symlink and an empty directory: the dumper’s hash and size', async () => {
  const root = mixedTree('mixed');
  await sameAsDumper(root);
  await sameAsDumper(join(root, 'run.sh'));
  await sameAsDumper(join(root, 'big'));
  await sameAsDumper(join(root, 'sub', 'link'));
  await sameAsDumper(join(root, 'empty-dir'));
});

test('more items than a batch and more bytes than the read-ahead: still in NAR order', async () => {
  const root = join(dir.path, 'many');
  for (let d = 0; d < 30; d++) {
    mkdirSync(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) {
      writeFileSync(join(root, `d${d}`, `f${f}`), bytes((d * 131 + f * 17) % 3000, d * 100 + f));
    }
  }
  // 80 files of 1 MiB: five times the 16 MiB the readers may hold.
  mkdirSync(join(root, 'large'));
  for (let f = 0; f < 80; f++) writeFileSync(join(root, 'large', `m${f}`), bytes(MiB, 1000 + f));
  await sameAsDumper(root);
});

nixTest('the same hashes as nix-hash, for every algorithm Nix has', async () => {
  const root = mixedTree('for-nix');
  for (const algo of ['sha256', 'sha1', 'sha512', 'md5'] as const) {
    const got = await narHashTree(root, algo);
    assert.is(got.hash.toString('base16'), `${algo}:${nixHash(root, algo)}`, algo);
  }
  assert.is(await sameAsDumper(join(root, 'sub')), `sha256:${nixHash(join(root, 'sub'))}`);
});

async function failure(path: string): Promise<{ code: string; message: string }> {
  try {
    await narHashTree(path);
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    return { code: e.code, message: e.message };
  }
  throw new Error(`narHashTree(${path}) did not fail`);
}

async function dumperFailure(path: string): Promise<{ code: string; message: string }> {
  try {
    await narHashOfPath(path);
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    return { code: e.code, message: e.message };
  }
  throw new Error(`narHashOfPath(${path}) did not fail`);
}

test('a missing path and a FIFO in the tree fail as the dumper fails, naming the path', async () => {
  const missing = join(dir.path, 'no-such-thing');
  assert.equal(await failure(missing), await dumperFailure(missing));
  assert.match((await failure(missing)).message, `getting status of '${missing}'`);

  const root = join(dir.path, 'with-fifo');
  mkdirSync(join(root, 'inner'), { recursive: true });
  writeFileSync(join(root, 'a-file'), 'before the FIFO');
  execFileSync('mkfifo', [join(root, 'inner', 'pipe')]);
  writeFileSync(join(root, 'z-file'), 'after the FIFO');
  const got = await failure(root);
  assert.is(got.code, 'STRATA_ERR_IO_UNSUPPORTED_TYPE');
  assert.ok(got.message.includes(join(root, 'inner', 'pipe')), got.message);
  assert.equal(got, await dumperFailure(root));
  // The FIFO itself as the object.
  assert.equal(await failure(join(root, 'inner', 'pipe')), got);
});

test('the first failure in NAR order wins, and nothing leaks into the next call', async () => {
  const root = join(dir.path, 'two-fifos');
  mkdirSync(root);
  for (let f = 0; f < 600; f++) writeFileSync(join(root, `f${String(f).padStart(3, '0')}`), 'x');
  execFileSync('mkfifo', [join(root, 'f300p'), join(root, 'f500p')]);
  for (let round = 0; round < 5; round++) {
    const got = await failure(root);
    assert.ok(got.message.includes(join(root, 'f300p')), got.message);
  }
  await sameAsDumper(join(root, 'f000'));
});

test('narHashOfObject: the same hash and size whichever way it takes', async () => {
  const root = mixedTree('by-kind');
  for (const path of [
    root,
    join(root, 'a'),
    join(root, 'run.sh'),
    join(root, 'exactly-1MiB'),
    join(root, 'big'),
    join(root, 'sub', 'link'),
    join(root, 'empty-dir'),
  ]) {
    const got = await narHashOfObject(path, 'sha512');
    const js = await narHashOfPath(path, 'sha512', { offloadAfterBytes: Number.POSITIVE_INFINITY });
    assert.is(got.hash.toString('base16'), js.hash.toString('base16'), path);
    assert.is(got.size, js.size, path);
  }
  const missing = join(dir.path, 'gone');
  try {
    await narHashOfObject(missing);
    assert.unreachable('a missing path must fail');
  } catch (e) {
    assert.is((e as Error).message, `getting status of '${missing}': No such file or directory`);
  }
});

test('bad arguments are refused before any work', async () => {
  try {
    await narHashTree(join(dir.path, 'x'), 'sha3' as never);
    assert.unreachable('an unknown algorithm must be refused');
  } catch (e) {
    assert.instance(e, TypeError);
  }
});

test.run();
