import { chmodSync, existsSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, requires, tempDir, throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deleteRealPath } from './delete-path.js';
import { parseMaxFreed } from './max-freed.js';
import { formatMiB, gcSummary } from './summary.js';
import { runNix } from './testing.js';

const test = suite('local gc: --max-freed, summary, deleting a path');
const nixTest = requires(test, NIX);

test('parseMaxFreed: numbers, units, negatives', () => {
  assert.is(parseMaxFreed('0'), 0n);
  assert.is(parseMaxFreed('1'), 1n);
  assert.is(parseMaxFreed('+7'), 7n);
  assert.is(parseMaxFreed('-5'), 0n);
  assert.is(parseMaxFreed('-5G'), 0n);
  assert.is(parseMaxFreed('10k'), 10240n);
  assert.is(parseMaxFreed('10K'), 10240n);
  assert.is(parseMaxFreed('3M'), 3n * 1024n * 1024n);
  assert.is(parseMaxFreed('2g'), 2n << 30n);
  assert.is(parseMaxFreed('1T'), 1n << 40n);
  assert.is(parseMaxFreed('9223372036854775807'), 9223372036854775807n);
});

test('parseMaxFreed: bad values have Nix texts', () => {
  throwsWith(() => parseMaxFreed('5x'), 'STRATA_ERR_CLI_USAGE', "invalid unit specifier 'X'");
  throwsWith(() => parseMaxFreed('5k5'), 'STRATA_ERR_CLI_USAGE', "'5k5' is not an integer");
  throwsWith(() => parseMaxFreed(''), 'STRATA_ERR_CLI_USAGE', "'' is not an integer");
  throwsWith(() => parseMaxFreed('K'), 'STRATA_ERR_CLI_USAGE', "'' is not an integer");
  throwsWith(() => parseMaxFreed(' 5'), 'STRATA_ERR_CLI_USAGE', "' 5' is not an integer");
  throwsWith(
    () => parseMaxFreed('9223372036854775808'),
    'STRATA_ERR_CLI_USAGE',
    "'9223372036854775808' is not an integer",
  );
});

nixTest('parseMaxFreed errors equal nix-store --gc --max-freed errors', () => {
  const t = tempDir();
  try {
    for (const arg of ['5x', '5kk', 'abc', '1.5', '', '0x10', '9223372036854775808', '5 ']) {
      const r = runNix('nix-store', join(t.path, 's'), ['--gc', '--max-freed', arg]);
      assert.is(r.status, 1, arg);
      const nixText = r.stderr.split('\n')[0].replace(/^error: /, '');
      const e = throwsWith(() => parseMaxFreed(arg), 'STRATA_ERR_CLI_USAGE');
      assert.is(e.message, nixText, arg);
    }
  } finally {
    t.cleanup();
  }
});

test('formatMiB rounds as printf %.2f and keeps the sign', () => {
  assert.is(formatMiB(0n), '0.00');
  assert.is(formatMiB(131072n), '0.12'); // 0.125: ties to even
  assert.is(formatMiB(393216n), '0.38'); // 0.375
  assert.is(formatMiB(1572864n), '1.50');
  assert.is(formatMiB(-4096n), '-0.00');
  assert.is(formatMiB(-1572864n), '-1.50');
  assert.is(formatMiB(260316n), '0.25');
  assert.is(
    gcSummary({ paths: ['/nix/store/x', '/nix/store/y'], bytesFreed: 0n }),
    '2 store paths deleted, 0.00 MiB freed',
  );
});

test('deleteRealPath removes read-only trees and counts files with 1 or 2 links', () => {
  const t = tempDir();
  try {
    const top = join(t.path, 'obj');
    mkdirSync(join(top, 'd'), { recursive: true });
    writeFileSync(join(top, 'd/one'), 'x'.repeat(100));
    writeFileSync(join(top, 'two'), 'y'.repeat(10));
    linkSync(join(top, 'two'), join(t.path, 'twin'));
    writeFileSync(join(t.path, 'three'), 'z'.repeat(1000));
    linkSync(join(t.path, 'three'), join(top, 'three'));
    linkSync(join(t.path, 'three'), join(t.path, 'three-b'));
    symlinkSync('d/one', join(top, 'link'));
    chmodSync(join(top, 'd/one'), 0o444);
    chmodSync(join(top, 'd'), 0o555);
    chmodSync(top, 0o555);
    assert.is(deleteRealPath(top), 100n + 10n + BigInt('d/one'.length));
    assert.not.ok(existsSync(top));
    assert.is(deleteRealPath(top), 0n, 'missing: nothing to do');
    assert.ok(existsSync(join(t.path, 'twin')));
  } finally {
    t.cleanup();
  }
});

test.run();
