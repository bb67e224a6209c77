// `strata overlay plan|mount|check|umount --store URL` (issue #6): the mounts are derived from a
// chain of local-overlay stores — nested while the kernel allows, flat beyond it or with
// `--layout flat` — mounted in order on real OverlayFS, accepted by every level's mount check,
// usable through the top store, and unmounted again, top first.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from '../cli/helpers.js';
import { overlayTest, withVolume } from './env.js';
import { FLAT } from './fixtures.js';

const test = suite('overlay mounts derived from a store chain (real mounts)');
const realTest = overlayTest(test);
const FEATURES = ['--option', 'experimental-features', 'nix-command local-overlay-store'];
const QUIET = ['--option', 'build-users-group', '', '--option', 'substituters', ''];

/**
 * The URL of overlay level `n` (1-based) over the base store `base`, nested by encoding. With
 * `frozen`, the levels below the top have `check-mount=false` (unmounted under a flat top).
 */
function chainUrl(vol: string, base: string, levels: number, frozen = false): string {
  let url = base;
  for (let n = 1; n <= levels; n++) {
    const check = frozen && n < levels ? '&check-mount=false' : '';
    url = `local-overlay://?root=${join(vol, `s${n}`)}&upper-layer=${join(vol, `up${n}`)}${check}&lower-store=${encodeURIComponent(url)}`;
  }
  return url;
}

function run(args: string[]) {
  const r = strata([...args, ...FEATURES, ...QUIET]);
  return { status: r.status, out: r.stdout.toString('utf8'), err: r.stderr };
}

function mountsUnder(vol: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${vol}/`));
}

realTest('plan --layout flat lists the upper layers below, top-most first, then the base', () =>
  withVolume(async (env) => {
    const url = chainUrl(env.VOL, env.A, 2);
    const r = run(['--store', url, 'overlay', 'plan', '--layout', 'flat']);
    assert.is(r.status, 0, r.err);
    assert.ok(
      r.out.includes(
        `mount -t overlay overlay -o lowerdir=${env.VOL}/up1:${env.A}/nix/store,upperdir=${env.VOL}/up2,workdir=${env.VOL}/up2-work ${env.VOL}/s2/nix/store\n`,
      ),
      r.out,
    );
  }),
);

realTest(
  'three overlay levels: the top mounted flat, lower levels frozen; checked, used, unmounted',
  () =>
    withVolume(async (env) => {
      env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
      const url = chainUrl(env.VOL, env.A, 3, true);
      for (let n = 1; n <= 3; n++) mkdirSync(join(env.VOL, `s${n}/nix/store`), { recursive: true });
      // The frozen levels' upper layers, as they were left when those levels were last used.
      for (let n = 1; n <= 2; n++) mkdirSync(join(env.VOL, `up${n}`));
      const mount = run(['--store', url, 'overlay', 'mount']);
      assert.is(mount.status, 0, mount.err);
      // Only the top: the levels below are lower layers of its mount, so they stay unmounted.
      assert.equal(mountsUnder(env.VOL), [join(env.VOL, 's3/nix/store')]);
      const again = run(['--store', url, 'overlay', 'mount']);
      assert.is(again.status, 0, again.err);
      assert.equal(mountsUnder(env.VOL).length, 1, 'idempotent');
      const check = run(['--store', url, 'overlay', 'check']);
      assert.is(check.status, 0, check.out + check.err);
      // Every level's own mount check accepts its mount; the lower store's path is seen at the top.
      const info = run(['--store', url, 'path-info', FLAT.dummy.path]);
      assert.is(info.status, 0, info.err);
      assert.is(info.out, `${FLAT.dummy.path}\n`);
      const doctor = run(['--store', url, 'doctor']);
      assert.is(doctor.status, 0, doctor.out);
      assert.ok(doctor.out.includes('mount: overlay, flat layout'), doctor.out);
      assert.ok(doctor.out.includes('mount: none (check-mount=false)'), doctor.out);
      const umount = run(['--store', url, 'overlay', 'umount']);
      assert.is(umount.status, 0, umount.err);
      assert.equal(mountsUnder(env.VOL), []);
    }),
);

realTest('a flat level is not mounted over levels that are mounted and writable', () =>
  withVolume(async (env) => {
    const two = chainUrl(env.VOL, env.A, 2);
    for (let n = 1; n <= 3; n++) mkdirSync(join(env.VOL, `s${n}/nix/store`), { recursive: true });
    const nested = run(['--store', two, 'overlay', 'mount']);
    assert.is(nested.status, 0, nested.err);
    const three = chainUrl(env.VOL, env.A, 3, true);
    const flat = run(['--store', three, 'overlay', 'mount']);
    assert.is(flat.status, 1, flat.out);
    assert.ok(
      flat.err.startsWith(`error: cannot mount overlay ${env.VOL}/s3/nix/store: `),
      flat.err,
    );
    for (const n of [1, 2]) {
      const conflict = `lowerdir ${env.VOL}/up${n} is the writable layer of the overlay mounted on ${env.VOL}/s${n}/nix/store`;
      assert.ok(flat.err.includes(conflict), flat.err);
    }
    assert.equal(mountsUnder(env.VOL).length, 2, 'nothing mounted');
    assert.is(run(['--store', two, 'overlay', 'umount']).status, 0);
  }),
);

test.run();
