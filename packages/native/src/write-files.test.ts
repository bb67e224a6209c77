import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isStrataError } from '@strata/core';
import { tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { native } from './addon.js';
import { FileBatch, writeFiles } from './write-files.js';

const test = suite('writeFiles');
const dir = tempDir('strata-native-write-');
test.after(() => dir.cleanup());

let n = 0;
function freshDir(): string {
  const d = join(dir.path, `d${n++}`);
  mkdirSync(d);
  return d;
}

/** Adds a file with its contents in pieces. */
function put(batch: FileBatch, path: Buffer, mode: number, ...data: Buffer[]): void {
  batch.add(
    path,
    mode,
    data.reduce((n, d) => n + d.length, 0),
  );
  for (const d of data) batch.append(d);
}

async function rejects(p: Promise<unknown>, code: string, message: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isStrataError(e), `not a StrataError: ${e}`);
    assert.is(e.code, code);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('creates files with their contents, mode and mtime 1, in pieces or whole', async () => {
  const d = freshDir();
  const batch = new FileBatch();
  put(batch, Buffer.from(join(d, 'a')), 0o444, Buffer.from('hello '), Buffer.from('world'));
  put(batch, Buffer.from(join(d, 'empty')), 0o444);
  put(batch, Buffer.from(join(d, 'x')), 0o555, Buffer.from('#!/bin/sh\n'));
  const big = Buffer.alloc(300_000, 7);
  put(batch, Buffer.from(join(d, 'big')), 0o444, big);
  assert.is(batch.count, 4);
  assert.is(batch.bytes, 11 + 10 + 300_000);
  await writeFiles(batch);
  assert.equal(readdirSync(d).sort(), ['a', 'big', 'empty', 'x']);
  assert.is(readFileSync(join(d, 'a'), 'utf8'), 'hello world');
  assert.is(readFileSync(join(d, 'empty')).length, 0);
  assert.ok(readFileSync(join(d, 'big')).equals(big));
  for (const [name, mode] of [
    ['a', 0o444],
    ['empty', 0o444],
    ['x', 0o555],
    ['big', 0o444],
  ] as const) {
    const st = lstatSync(join(d, name));
    assert.is(st.mode & 0o7777, mode, name);
    assert.is(st.mtimeMs, 1000, name);
  }
});

test('names are bytes: a non-UTF-8 name comes out as given', async () => {
  const d = freshDir();
  const name = Buffer.from([0x66, 0xff, 0xfe]);
  const batch = new FileBatch();
  put(batch, Buffer.concat([Buffer.from(`${d}/`), name]), 0o444, Buffer.from('z'));
  await writeFiles(batch);
  const names = readdirSync(d, { encoding: 'buffer' });
  assert.is(names.length, 1);
  assert.ok(names[0]!.equals(name));
});

test('many batches in flight at once, in several directories', async () => {
  const root = freshDir();
  const jobs: Promise<void>[] = [];
  for (let b = 0; b < 12; b++) {
    const d = join(root, `sub${b}`);
    mkdirSync(d);
    const batch = new FileBatch();
    for (let i = 0; i < 40; i++)
      put(batch, Buffer.from(join(d, `f${i}`)), 0o444, Buffer.from(`${b}/${i}`));
    jobs.push(writeFiles(batch));
  }
  await Promise.all(jobs);
  for (let b = 0; b < 12; b++) {
    for (let i = 0; i < 40; i++) {
      assert.is(readFileSync(join(root, `sub${b}`, `f${i}`), 'utf8'), `${b}/${i}`);
    }
  }
});

test('an existing file, a symlink or a missing directory: Nix-worded errors, earlier files stay', async () => {
  const d = freshDir();
  writeFileSync(join(d, 'taken'), 'old');
  utimesSync(join(d, 'taken'), 5, 5);
  symlinkSync('/nonexistent-target', join(d, 'link'));
  const first = new FileBatch();
  put(first, Buffer.from(join(d, 'ok')), 0o444, Buffer.from('ok'));
  put(first, Buffer.from(join(d, 'taken')), 0o444, Buffer.from('new'));
  put(first, Buffer.from(join(d, 'never')), 0o444);
  await rejects(
    writeFiles(first),
    'STRATA_ERR_IO_FAILED',
    `creating file '${join(d, 'taken')}': File exists`,
  );
  assert.is(readFileSync(join(d, 'ok'), 'utf8'), 'ok');
  assert.is(readFileSync(join(d, 'taken'), 'utf8'), 'old');
  assert.not.ok(readdirSync(d).includes('never'));

  const viaLink = new FileBatch();
  put(viaLink, Buffer.from(join(d, 'link')), 0o444, Buffer.from('x'));
  await rejects(
    writeFiles(viaLink),
    'STRATA_ERR_IO_FAILED',
    `creating file '${join(d, 'link')}': File exists`,
  );
  assert.is(lstatSync(join(d, 'link')).isSymbolicLink(), true);

  const missing = new FileBatch();
  put(missing, Buffer.from(join(d, 'no-dir', 'f')), 0o444);
  await rejects(
    writeFiles(missing),
    'STRATA_ERR_IO_FAILED',
    `creating file '${join(d, 'no-dir', 'f')}': No such file or directory`,
  );
});

test('an empty batch does nothing; an inconsistent one is refused before any work', async () => {
  await writeFiles(new FileBatch());
  const short = new FileBatch();
  short.add(Buffer.from('/nonexistent/x'), 0o444, 3);
  short.append(Buffer.from('ab'));
  try {
    await writeFiles(short);
    assert.unreachable('expected a failure');
  } catch (e) {
    assert.match(String(e), /2 bytes of contents for 3/);
  }
  const d = freshDir();
  const path = Buffer.from(`${join(d, 'f')}\0`);
  const bad: [Buffer, Uint32Array, Buffer, Float64Array][] = [
    [path, Uint32Array.of(0o444), Buffer.alloc(2), Float64Array.of(3)], // sizes beyond data
    [path, Uint32Array.of(0o444, 0o444), Buffer.alloc(0), Float64Array.of(0, 0)], // 2 modes, 1 path
    [Buffer.from(join(d, 'f')), Uint32Array.of(0o444), Buffer.alloc(0), Float64Array.of(0)], // no NUL
    [path, Uint32Array.of(0o444), Buffer.alloc(4), Float64Array.of(1.5)], // fractional size
    [path, Uint32Array.of(0o444), Buffer.alloc(4), Float64Array.of(-1)],
  ];
  for (const args of bad) {
    assert.throws(() => native().writeFiles(...args), /inconsistent batch/);
  }
  assert.throws(
    () => (native().writeFiles as (...a: unknown[]) => unknown)('x', 1, 2, 3),
    /writeFiles\(paths: Buffer/,
  );
  assert.equal(readdirSync(d), []);
});

test.run();
