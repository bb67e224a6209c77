// Overlay stores on overlay stores, on real mounts (spec/local-overlay.md §7): SC-17 two nested
// levels through percent-encoded URLs (the kernel refuses a third nested mount), SC-18 and the
// flat layout with four store levels (base + 3 overlays), named stores, and the limits (more
// than 32 levels, cycles). A store opened as a lower store is never written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { percentEncode } from '@strata/core';
import { rejectsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exists, mount, type OverlayEnv, overlayTest, withVolume } from './env.js';
import { APP, LIB, makeGraphFixture, nixImport, sha256, TOOL } from './fixtures.js';

const test = suite('local-overlay: stacking overlay stores (real mounts)');
const realTest = overlayTest(test);

const BASE = '/nix/store/klxv9fvhj6c7y7df4hqdjf0zgqs063x8-base.txt';
const ONE = '/nix/store/3kjis97c0452syvgaakn5g9sj0krlrfs-one.txt';
const TWO = '/nix/store/n3daivcig4cjbkh5f8p35ib4v1xm4c7i-two.txt';
const name = (p: string) => p.slice('/nix/store/'.length);

/** Nix's query encoder (§7.2): keeps unreserved characters and `: @ / ?`. */
const encode = (url: string) => percentEncode(url, ':@/?');

/** The stack of §7.4 under `<VOL>/stack`: directories and the URLs of every level. */
function stack(env: OverlayEnv, checkMountBelow = true) {
  const S = join(env.VOL, 'stack');
  for (const d of [
    'l0',
    's1/nix/store',
    's1-upper',
    's1-work',
    's2/nix/store',
    's2-upper',
    's2-work',
    's3/nix/store',
    's3-upper',
    's3-work',
  ]) {
    mkdirSync(join(S, d), { recursive: true });
  }
  const cm = checkMountBelow ? '' : '&check-mount=false';
  const s1 = `local-overlay://?root=${S}/s1&lower-store=${S}/l0&upper-layer=${S}/s1-upper${cm}`;
  const s2 = `local-overlay://?root=${S}/s2&upper-layer=${S}/s2-upper${cm}&lower-store=${encode(s1)}`;
  const s3 = `local-overlay://?root=${S}/s3&upper-layer=${S}/s3-upper&lower-store=${encode(s2)}`;
  return { S, s1, s2, s3 };
}

function dbDigest(root: string): string {
  const db = join(root, 'nix/var/nix/db/db.sqlite');
  return exists(db) ? `${statSync(db).mtimeMs}:${sha256(readFileSync(db))}` : 'none';
}

realTest('§7.2 encoding: the nested URLs of the spec, one encoding per level', () => {
  const s1 =
    'local-overlay://?root=/mnt/stack/s1&lower-store=/mnt/stack/l0&upper-layer=/mnt/stack/s1-upper';
  assert.is(
    `local-overlay://?root=/mnt/stack/s2&upper-layer=/mnt/stack/s2-upper&lower-store=${encode(s1)}`,
    'local-overlay://?root=/mnt/stack/s2&upper-layer=/mnt/stack/s2-upper&lower-store=local-overlay://?root%3D/mnt/stack/s1%26lower-store%3D/mnt/stack/l0%26upper-layer%3D/mnt/stack/s1-upper',
  );
  const f1 = `${s1}&check-mount=false`;
  const f2 = `local-overlay://?root=/mnt/stack/s2&upper-layer=/mnt/stack/s2-upper&check-mount=false&lower-store=${encode(f1)}`;
  assert.is(
    `local-overlay://?root=/mnt/stack/s3&upper-layer=/mnt/stack/s3-upper&check-mount=false&lower-store=${encode(f2)}`,
    'local-overlay://?root=/mnt/stack/s3&upper-layer=/mnt/stack/s3-upper&check-mount=false&lower-store=local-overlay://?root%3D/mnt/stack/s2%26upper-layer%3D/mnt/stack/s2-upper%26check-mount%3Dfalse%26lower-store%3Dlocal-overlay://?root%253D/mnt/stack/s1%2526lower-store%253D/mnt/stack/l0%2526upper-layer%253D/mnt/stack/s1-upper%2526check-mount%253Dfalse',
  );
});

realTest('SC-17: two nested levels; both mount checks pass; lower levels are never written', () =>
  withVolume(async (env) => {
    const { S, s1, s2 } = stack(env);
    assert.is(env.nixAdd(`${S}/l0`, 'base.txt', 'base\n'), BASE);
    const fx = makeGraphFixture(env);
    nixImport(env, `${S}/l0`, fx.lowerExport);
    mount(
      `lowerdir=${S}/l0/nix/store,upperdir=${S}/s1-upper,workdir=${S}/s1-work`,
      `${S}/s1/nix/store`,
    );
    mount(
      `lowerdir=${S}/s1/nix/store,upperdir=${S}/s2-upper,workdir=${S}/s2-work`,
      `${S}/s2/nix/store`,
    );
    // A third nested level is beyond the kernel's stacking limit.
    assert.throws(() =>
      mount(
        `lowerdir=${S}/s2/nix/store,upperdir=${S}/s3-upper,workdir=${S}/s3-work`,
        `${S}/s3/nix/store`,
      ),
    );
    const level1 = await env.open(s1);
    assert.is((await level1.addToStore(env.file('one.txt', 'one\n'))).path, ONE);
    assert.ok(exists(join(S, 's1-upper', name(ONE))));
    await env.closeAll();
    env.remount(`${S}/s2/nix/store`);
    const l0Db = dbDigest(`${S}/l0`);
    const s1Db = dbDigest(`${S}/s1`);
    const s1Upper = execFileSync('ls', ['-A', `${S}/s1-upper`], { encoding: 'utf8' });
    const level2 = await env.open(s2);
    for (const p of [BASE, ONE, LIB, APP]) assert.ok(await level2.isValidPath(p), p);
    assert.is((await level2.addToStore(env.file('two.txt', 'two\n'))).path, TWO);
    await env.importInto(level2, fx.toolClosureExport);
    assert.ok(exists(join(S, 's2-upper', name(TWO))));
    assert.ok(exists(join(S, 's2-upper', name(TOOL))));
    assert.not.ok(exists(join(S, 's1-upper', name(TWO))));
    // Deleting an S1 object through S2 changes neither S1's upper layer nor L0.
    const r = await level2.deleteStorePaths([ONE]);
    assert.equal(r.paths, [ONE]);
    assert.ok(await level2.isValidPath(ONE));
    await env.closeAll();
    assert.is(execFileSync('ls', ['-A', `${S}/s1-upper`], { encoding: 'utf8' }), s1Upper);
    assert.is(dbDigest(`${S}/s1`), s1Db);
    assert.is(dbDigest(`${S}/l0`), l0Db);
    // S2's own database is a complete store for Nix 2.8.
    env.nix('nix-store', ['--store', `${S}/s2`, '--verify', '--check-contents']);
  }),
);

realTest("SC-18: four store levels with the flat layout; Strata's check accepts it", () =>
  withVolume(async (env) => {
    const { S, s1, s2 } = stack(env);
    assert.is(env.nixAdd(`${S}/l0`, 'base.txt', 'base\n'), BASE);
    mount(
      `lowerdir=${S}/l0/nix/store,upperdir=${S}/s1-upper,workdir=${S}/s1-work`,
      `${S}/s1/nix/store`,
    );
    mount(
      `lowerdir=${S}/s1/nix/store,upperdir=${S}/s2-upper,workdir=${S}/s2-work`,
      `${S}/s2/nix/store`,
    );
    await (await env.open(s1)).addToStore(env.file('one.txt', 'one\n'));
    await env.closeAll();
    env.remount(`${S}/s2/nix/store`);
    await (await env.open(s2)).addToStore(env.file('two.txt', 'two\n'));
    await env.closeAll();
    // Freeze levels 1 and 2, then mount level 3 flat.
    execFileSync('umount', [`${S}/s2/nix/store`]);
    execFileSync('umount', [`${S}/s1/nix/store`]);
    mount(
      `lowerdir=${S}/s2-upper:${S}/s1-upper:${S}/l0/nix/store,upperdir=${S}/s3-upper,workdir=${S}/s3-work`,
      `${S}/s3/nix/store`,
    );
    const frozen = stack(env, false);
    const level3 = await env.open(frozen.s3);
    for (const p of [BASE, ONE, TWO]) {
      assert.ok(await level3.isValidPath(p), p);
      assert.ok(exists(join(S, 's3/nix/store', name(p))), p);
    }
    const three = await level3.addToStore(env.file('three.txt', 'three\n'));
    assert.ok(exists(join(S, 's3-upper', name(three.path))));
    assert.not.ok(exists(join(S, 's2-upper', name(three.path))));
    // The nested check alone would refuse this mount: the hint offers both layouts.
    const wrongUpper = frozen.s3.replace(`upper-layer=${S}/s3-upper`, `upper-layer=${S}/s2-upper`);
    const e = await rejectsWith(
      () => env.open(wrongUpper),
      'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY',
    );
    assert.ok(
      e.hint?.includes(
        `or flat (lower levels frozen): mount -t overlay overlay -o lowerdir=${S}/s2-upper:${S}/s1-upper:${S}/l0/nix/store,`,
      ),
      e.hint,
    );
    // Deleting a level-2 object at level 3 leaves the frozen layers alone.
    await level3.deleteStorePaths([TWO]);
    assert.ok(exists(join(S, 's2-upper', name(TWO))));
    assert.ok(await level3.isValidPath(TWO));
    await env.closeAll();
    env.nix('nix-store', ['--store', `${S}/s3`, '--verify', '--check-contents']);
  }),
);

realTest('named stores nest like encoded URLs; a cycle and more than 32 levels are refused', () =>
  withVolume(async (env) => {
    const { S } = stack(env);
    env.nixAdd(`${S}/l0`, 'base.txt', 'base\n');
    mount(
      `lowerdir=${S}/l0/nix/store,upperdir=${S}/s1-upper,workdir=${S}/s1-work`,
      `${S}/s1/nix/store`,
    );
    const stores = new Map([
      ['base', `${S}/l0`],
      ['team', `local-overlay://?root=${S}/s1&upper-layer=${S}/s1-upper&lower-store=@base`],
    ]);
    const store = await env.registry.openStore('@team', { ...env.openOptions(), stores });
    assert.ok(await store.isValidPath(BASE));
    await env.registry.closeStore(store);

    const cycle = new Map([
      ['a', `local-overlay://?root=${S}/s1&upper-layer=${S}/s1-upper&lower-store=@b`],
      ['b', `local-overlay://?root=${S}/s2&upper-layer=${S}/s2-upper&lower-store=@a`],
    ]);
    await rejectsWith(
      () => env.registry.openStore('@a', { ...env.openOptions(), stores: cycle }),
      'STRATA_ERR_STORE_CYCLE',
      'store reference cycle: @a → @b → @a',
    );

    const deep = new Map<string, string>([['l0', `${S}/l0`]]);
    for (let i = 1; i <= 33; i++) {
      deep.set(
        `s${i}`,
        `local-overlay://?root=${S}/deep/${i}&upper-layer=${S}/deep/${i}-up&check-mount=false&lower-store=@${i === 1 ? 'l0' : `s${i - 1}`}`,
      );
    }
    await rejectsWith(
      () => env.registry.openStore('@s33', { ...env.openOptions(), stores: deep }),
      'STRATA_ERR_LOCAL_OVERLAY_TOO_DEEP',
      `overlay store "${S}/deep/33/nix/store" stacks 33 overlay stores on each other; at most 32 are allowed`,
    );
    assert.not.ok(exists(join(S, 'deep')));
    const ok32 = await env.registry.openStore('@s32', { ...env.openOptions(), stores: deep });
    assert.ok(await ok32.isValidPath(BASE));
    assert.not.ok(exists(join(S, 'deep/1/nix/var'))); // lower levels are never written
    await env.registry.closeStore(ok32);
  }),
);

test.run();
