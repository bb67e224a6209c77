import { createHash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStrataError } from '@strata/core';
import { tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyHashFile } from './copy-hash-file.js';

const test = suite('copyHashFile');
const dir = tempDir('strata-native-copy-');
test.after(() => dir.cleanup());

let n = 0;
/** A source file with `bytes`, and a fresh empty read-write target. */
function files(bytes: Buffer): { source: string; target: string; src: number; dst: number } {
  const source = join(dir.path, `src-${n}`);
  const target = join(dir.path, `dst-${n++}`);
  writeFileSync(source, bytes);
  const src = openSync(source, constants.O_RDONLY);
  const dst = openSync(target, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o444);
  return { source, target, src, dst };
}

function pseudoRandom(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = 0x12345678;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

for (const size of [0, 1, 4095, 4096, 100_000, 9 * 1024 * 1024 + 3]) {
  test(`copies ${size} bytes and hashes prefix ‖ copy ‖ suffix`, async () => {
    const bytes = pseudoRandom(size);
    const f = files(bytes);
    const prefix = Buffer.from('head:');
    const suffix = Buffer.from(':tail');
    try {
      const digest = await copyHashFile(f.src, f.dst, size, prefix, suffix, f);
      const expected = createHash('sha256').update(prefix).update(bytes).update(suffix).digest();
      assert.ok(Buffer.from(digest).equals(expected));
    } finally {
      closeSync(f.src);
      closeSync(f.dst);
    }
    assert.ok(readFileSync(f.target).equals(bytes));
    assert.is(lstatSync(f.target).mtimeMs, 1000);
    assert.is(lstatSync(f.target).mode & 0o777, 0o444);
  });
}

test('copies only the given size of a longer file', async () => {
  const f = files(Buffer.from('0123456789'));
  try {
    const digest = await copyHashFile(f.src, f.dst, 4, Buffer.alloc(0), Buffer.alloc(0), f);
    assert.ok(Buffer.from(digest).equals(createHash('sha256').update('0123').digest()));
  } finally {
    closeSync(f.src);
    closeSync(f.dst);
  }
  assert.is(readFileSync(f.target, 'utf8'), '0123');
});

test('a source shorter than announced (it shrank): unexpected end-of-file, as Nix says', async () => {
  const f = files(Buffer.from('short'));
  try {
    await copyHashFile(f.src, f.dst, 1000, Buffer.alloc(0), Buffer.alloc(0), f);
    assert.unreachable('expected a failure');
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    assert.is(e.code, 'STRATA_ERR_IO_FAILED');
    assert.is(e.message, `reading file '${f.source}': unexpected end-of-file`);
  } finally {
    closeSync(f.src);
    closeSync(f.dst);
  }
});

test('a target that cannot be written: writing to file …: Bad file descriptor', async () => {
  const f = files(Buffer.from('data'));
  const readOnly = openSync(f.target, constants.O_RDONLY);
  try {
    await copyHashFile(f.src, readOnly, 4, Buffer.alloc(0), Buffer.alloc(0), f);
    assert.unreachable('expected a failure');
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    assert.is(e.message, `writing to file '${f.target}': Bad file descriptor`);
  } finally {
    closeSync(readOnly);
    closeSync(f.src);
    closeSync(f.dst);
  }
});

test('bad descriptors and arguments are refused before any work', async () => {
  const paths = { source: 's', target: 't' };
  try {
    await copyHashFile(-1, 1, 0, Buffer.alloc(0), Buffer.alloc(0), paths);
    assert.unreachable('expected a failure');
  } catch (e) {
    assert.ok(isStrataError(e));
    assert.is(e.code, 'STRATA_ERR_NATIVE_BAD_FD');
  }
  try {
    await copyHashFile(0, 1, 1.5, Buffer.alloc(0), Buffer.alloc(0), paths);
    assert.unreachable('expected a failure');
  } catch (e) {
    assert.match(String(e), /copyHashFile\(src: fd/);
  }
});

test.run();
