import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, rejectsWith, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testContext } from '../store/testing.js';
import {
  cloneStore,
  editInPlace,
  makeVerifyFixture,
  normalise,
  runNixStore,
  type VerifyFixture,
} from './testing.js';
import { verifyPaths } from './verify-path.js';

const test = suite('verify-path');
const nixTest = requires(test, NIX);

const tmp = tempDir('strata-verify-path-');
let fixture: VerifyFixture | undefined;
let n = 0;
const base = () => {
  fixture ??= makeVerifyFixture(tmp.path);
  return fixture;
};
function copies(): { ours: string; theirs: string } {
  n++;
  const root = base().root;
  return {
    ours: cloneStore(root, join(tmp.path, `ours-${n}`)),
    theirs: cloneStore(root, join(tmp.path, `theirs-${n}`)),
  };
}

async function ours(root: string, paths: string[]) {
  const t = testContext(root);
  const lines: string[] = [];
  const progress: number[] = [];
  try {
    const r = await verifyPaths(t.ctx, paths, {
      log: (l) => lines.push(l),
      progress: (d) => progress.push(d),
    });
    return { ...r, lines: normalise(root, lines), progress };
  } finally {
    t.close();
  }
}

test.after(() => tmp.cleanup());

nixTest('unmodified paths pass, a modified one is reported like Nix', async () => {
  const f = base();
  const { ours: a, theirs: b } = copies();
  const paths = [f.hello, f.d1, f.x];
  const clean = await ours(a, paths);
  assert.is(clean.errors, false);
  assert.equal(clean.progress, [0, 1, 2, 3]);
  assert.is(runNixStore(b, ['--verify-path', ...paths]).status, 0);
  for (const root of [a, b]) editInPlace(join(root, f.d1, 'b'), 'edited\n');
  for (const root of [a, b]) editInPlace(join(root, f.x), 'edited\n');
  const bad = await ours(a, paths);
  const nixRun = runNixStore(b, ['--verify-path', ...paths]);
  assert.equal(bad.lines, nixRun.lines);
  assert.equal(bad.messages, bad.lines);
  assert.is(bad.lines.length, 2);
  assert.is(nixRun.status, 1);
  assert.is(bad.errors, true);
});

nixTest('a path that is not valid fails with Nix message', async () => {
  const f = base();
  const { ours: a, theirs: b } = copies();
  const missing = f.hello.replace('hello.txt', 'other.txt');
  const t = testContext(a);
  try {
    const e = await rejectsWith(() => verifyPaths(t.ctx, [missing]), 'STRATA_ERR_STORE_NOT_VALID');
    assert.equal([`error: ${e.message}`], runNixStore(b, ['--verify-path', missing]).lines);
  } finally {
    t.close();
  }
});

nixTest('a valid path missing from disk fails with Nix message', async () => {
  const f = base();
  const { ours: a, theirs: b } = copies();
  for (const root of [a, b]) rmSync(join(root, f.p));
  const t = testContext(a);
  try {
    const e = await rejectsWith(() => verifyPaths(t.ctx, [f.p]), 'STRATA_ERR_IO_NOT_FOUND');
    assert.equal(
      normalise(a, [`error: ${e.message}`]),
      runNixStore(b, ['--verify-path', f.p]).lines,
    );
  } finally {
    t.close();
  }
});

test.run();
