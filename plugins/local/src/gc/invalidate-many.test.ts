import { isStrataError } from '@strata/core/errors';
import { topoSortPaths } from '@strata/core/store';
import { NIX, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeNixStore, type NixStoreFixture } from '../db/testing.js';
import { testContext } from '../store/testing.js';
import { invalidateMany } from './invalidate-many.js';
import { copyStore } from './testing.js';

const test = suite('invalidate-many');
const nixTest = requires(test, NIX);
const tmp = tempDir('strata-invalidate-many-');
test.after(() => tmp.cleanup());

let fixture: NixStoreFixture | undefined;
let n = 0;
/** A fresh copy of the Nix-made store (textB and selfRef refer to textA). */
function store(): { root: string; fx: NixStoreFixture } {
  fixture ??= makeNixStore(`${tmp.path}/base`);
  const root = `${tmp.path}/copy-${n++}`;
  copyStore(fixture.root, root);
  return { root, fx: fixture };
}

function valid(root: string, paths: string[]): boolean[] {
  const t = testContext(root);
  try {
    return paths.map((p) => t.ctx.database().queries.isValidPath(p));
  } finally {
    t.close();
  }
}

nixTest('referrers first: the whole store is invalidated in one go', () => {
  const { root, fx } = store();
  const t = testContext(root);
  try {
    const db = t.ctx.database({ writable: true });
    const order = topoSortPaths(fx.all, (p) => db.queries.queryReferences(p));
    assert.equal(invalidateMany(db, order), { done: fx.all.length });
  } finally {
    t.close();
  }
  assert.equal(
    valid(root, fx.all),
    fx.all.map(() => false),
  );
});

nixTest('a path still in use stops the batch: the ones before it are committed', () => {
  const { root, fx } = store();
  const t = testContext(root);
  let r: ReturnType<typeof invalidateMany>;
  try {
    r = invalidateMany(t.ctx.database({ writable: true }), [fx.added, fx.textA, fx.textB]);
  } finally {
    t.close();
  }
  assert.is(r.done, 1);
  assert.ok(isStrataError(r.error));
  assert.is(
    (r.error as Error).message,
    `cannot delete path '${fx.textA}' because it is in use by '${fx.selfRef}', '${fx.textB}'`,
  );
  assert.equal(valid(root, [fx.added, fx.textA, fx.textB]), [false, true, true]);
});

nixTest('one path, no path, and paths that are not valid', () => {
  const { root, fx } = store();
  const t = testContext(root);
  try {
    const db = t.ctx.database({ writable: true });
    assert.equal(invalidateMany(db, []), { done: 0 });
    const one = invalidateMany(db, [fx.textA]);
    assert.is(one.done, 0);
    assert.match((one.error as Error).message, `cannot delete path '${fx.textA}'`);
    assert.equal(invalidateMany(db, [fx.added]), { done: 1 });
    assert.equal(invalidateMany(db, [fx.added, `${fx.added}-gone`]), { done: 2 });
  } finally {
    t.close();
  }
  assert.equal(valid(root, [fx.added, fx.textA]), [false, true]);
});

test.run();
