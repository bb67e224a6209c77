// Opening a local-overlay store on real mounts (spec/local-overlay.md §3, §5.3): the mount
// check (SC-4 bad URLs, SC-14 stacked mounts), SC-12 missing upper-layer, SC-13 feature gate,
// SC-16 unusable lower stores, and a work dir on another file system.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rejectsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exists, mount, overlayTest, withVolume } from './env.js';
import { FLAT } from './fixtures.js';

const test = suite('local-overlay: opening and the mount check (real mounts)');
const realTest = overlayTest(test);

realTest('a correctly mounted store opens; queries fall through to the lower store', () =>
  withVolume(async (env) => {
    const dummy = env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    assert.is(dummy, FLAT.dummy.path);
    env.mountOverlay();
    const store = await env.open();
    assert.is(store.storeDir, '/nix/store');
    assert.ok(await store.isValidPath(dummy));
    const info = await store.queryPathInfo(dummy);
    assert.is(
      info.narHash.toString('base32'),
      'sha256:0lc8c8k1yc8m563wxg9ikalz4q9f56gc667qnnsjiwgiv7ya8xbw',
    );
    assert.is(info.narSize, 128);
  }),
);

realTest('SC-4: the three bad URLs fail with Nix\'s "mounted incorrectly" and a hint', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    const BAD = join(env.VOL, 'bad_test');
    mkdirSync(BAD);
    const cases: [string, string][] = [
      [
        `local-overlay://?root=${BAD}&lower-store=${env.A}&upper-layer=${env.UP}`,
        `${BAD}/nix/store`,
      ],
      [`local-overlay://?root=${env.ROOT}&lower-store=${BAD}&upper-layer=${env.UP}`, env.merged],
      [`local-overlay://?root=${env.ROOT}&lower-store=${env.A}&upper-layer=${BAD}`, env.merged],
    ];
    for (const [url, real] of cases) {
      const e = await rejectsWith(
        () => env.open(url),
        'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY',
        `overlay filesystem "${real}" mounted incorrectly`,
      );
      assert.match(e.message, /overlay filesystem .* mounted incorrectly/);
      assert.ok(e.hint?.includes('expected upperdir:'), e.hint);
      assert.ok(e.hint?.includes('mount it with: mount -t overlay overlay -o '), e.hint);
    }
    // Nothing was created for the store that could not be opened (Strata's open order, §3.1).
    assert.equal(readdirSync(BAD), []);
    assert.not.ok(exists(join(env.ROOT, 'nix/var')));
  }),
);

realTest('the hint names expected and actual layers and the right mount command', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    const other = join(env.VOL, 'other-upper');
    mkdirSync(other);
    const e = await rejectsWith(
      () => env.open(`local-overlay://?root=${env.ROOT}&lower-store=${env.A}&upper-layer=${other}`),
      'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY',
    );
    assert.is(
      e.hint,
      [
        `expected lowerdir: ${env.A}/nix/store`,
        `expected upperdir: ${other}`,
        `actual mount: overlay overlay rw,lowerdir=${env.A}/nix/store,upperdir=${env.UP},workdir=${env.WORK}${e.hint?.includes('uuid=on') ? ',uuid=on' : ''}`,
        `problem: upperdir is "${env.UP}", expected "${other}"`,
        `mount it with: mount -t overlay overlay -o lowerdir=${env.A}/nix/store,upperdir=${other},workdir=${env.WORK} ${env.merged}`,
      ].join('\n'),
    );
    // upper-layer naming the mounted work dir: the hint does not suggest reusing it as both.
    const asWork = await rejectsWith(
      () =>
        env.open(`local-overlay://?root=${env.ROOT}&lower-store=${env.A}&upper-layer=${env.WORK}`),
      'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY',
    );
    assert.match(
      asWork.hint ?? '',
      `upperdir=${env.WORK},workdir=<empty work dir on the upper layer file system>' ${env.merged}`,
    );
  }),
);

realTest('check-mount=false opens an unmounted store', () =>
  withVolume(async (env) => {
    const store = await env.open(env.url('&check-mount=false'));
    assert.not.ok(await store.isValidPath(FLAT.dummy.path));
  }),
);

realTest('SC-12: a missing upper-layer is refused with the 2.35 text', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    await rejectsWith(
      () => env.open(`local-overlay://?root=${env.ROOT}&lower-store=${env.A}`),
      'STRATA_ERR_LOCAL_OVERLAY_UPPER_LAYER_REQUIRED',
      `overlay store at "${env.merged}" requires the 'upper-layer' setting`,
    );
    await rejectsWith(
      () => env.open(`local-overlay://?root=${env.ROOT}&lower-store=${env.A}&check-mount=false`),
      'STRATA_ERR_LOCAL_OVERLAY_UPPER_LAYER_REQUIRED',
    );
  }),
);

realTest('SC-13: without local-overlay-store the feature gate fails first, creating nothing', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    await rejectsWith(
      () => env.registry.openStore(env.url(), { ...env.openOptions(), features: ['nix-command'] }),
      'STRATA_ERR_FEATURE_DISABLED',
      "experimental Nix feature 'local-overlay-store' is disabled; add '--extra-experimental-features local-overlay-store' to enable it",
    );
    assert.not.ok(exists(join(env.ROOT, 'nix/var')));
  }),
);

realTest(
  'SC-14: a second overlay stacked on the mount point makes the check fail until unmounted',
  () =>
    withVolume(async (env) => {
      env.mountOverlay();
      mkdirSync(join(env.VOL, 'other'));
      mkdirSync(join(env.VOL, 'otherwork'));
      mount(
        `lowerdir=${env.A}/nix/store,upperdir=${env.VOL}/other,workdir=${env.VOL}/otherwork`,
        env.merged,
      );
      await rejectsWith(() => env.open(), 'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY');
      execFileSync('umount', [env.merged]);
      await env.open();
    }),
);

realTest(
  'SC-16: a lower store without a local directory, or with another store dir, is refused',
  () =>
    withVolume(async (env) => {
      env.mountOverlay();
      await rejectsWith(
        () =>
          env.open(`local-overlay://?root=${env.ROOT}&lower-store=dummy://&upper-layer=${env.UP}`),
        'STRATA_ERR_STORE_CAPABILITY_MISSING',
        `store 'dummy://' cannot be the 'lower-store' of Experimental Local Overlay Store 'local-overlay://?root=${env.ROOT}&lower-store=dummy://&upper-layer=${env.UP}': it lacks the capability 'local-fs'`,
      );
      await rejectsWith(
        () =>
          env.open(
            `local-overlay://?root=${env.ROOT}&lower-store=local%3Froot%3D${env.A}%26store%3D/other/store&upper-layer=${env.UP}`,
          ),
        'STRATA_ERR_LOCAL_OVERLAY_STORE_DIR_MISMATCH',
        `overlay store "${env.merged}" has store directory '/nix/store', but its lower store 'local://?root=${env.A}&store=/other/store' has '/other/store'; they must be the same`,
      );
    }),
);

realTest(
  'bad input: a work dir on another file system than the upper layer cannot be mounted',
  () =>
    withVolume(async (env) => {
      const otherFs = join(env.VOL, 'other-fs');
      mkdirSync(otherFs);
      execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', otherFs]);
      mkdirSync(join(otherFs, 'work'));
      assert.throws(() =>
        mount(`lowerdir=${env.A}/nix/store,upperdir=${env.UP},workdir=${otherFs}/work`, env.merged),
      );
      // So the store finds no overlay there.
      await rejectsWith(() => env.open(), 'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY');
    }),
);

test.run();
