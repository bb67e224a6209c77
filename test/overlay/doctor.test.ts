// `strata doctor` on local-overlay stores on real mounts (issue #6): a healthy store reports
// its mount (nested layout) and its lower layer, with no problem; each of the three bad URLs of
// SC-4 is diagnosed as "mounted incorrectly" with expected vs actual and the mount command that
// fixes it — and running that command (for the bad upper layer: mounting what the URL asks
// for) makes the doctor happy; a lower store written under a live mount is reported.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from '../cli/helpers.js';
import { overlayTest, withVolume } from './env.js';
import { FLAT } from './fixtures.js';

const test = suite('strata doctor on local-overlay stores (real mounts)');
const realTest = overlayTest(test);
const FEATURES = ['--option', 'experimental-features', 'nix-command local-overlay-store'];

function doctor(url: string) {
  const r = strata(['--store', url, ...FEATURES, 'doctor']);
  return { status: r.status, out: r.stdout.toString('utf8'), err: r.stderr };
}

realTest('a healthy overlay store: mount, layers, no problem', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const r = doctor(env.url());
    assert.is(r.status, 0, r.out + r.err);
    assert.match(r.out, /\(Experimental Local Overlay Store\)\n/);
    assert.ok(r.out.includes(`  upper layer: ${env.UP}\n`), r.out);
    assert.ok(
      r.out.includes(`  mount: overlay, nested layout, lowerdir ${env.A}/nix/store\n`),
      r.out,
    );
    assert.ok(r.out.includes('  lower store:\n    local://'), r.out);
    assert.ok(r.out.endsWith('no problems found\n'), r.out);
  }),
);

realTest('the three bad URLs of SC-4: each with expected vs actual and the mount command', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    const bad = join(env.VOL, 'bad_test');
    mkdirSync(bad);
    const cases = [
      {
        url: `local-overlay://?root=${bad}&lower-store=${env.A}&upper-layer=${env.UP}`,
        real: `${bad}/nix/store`,
        actual: 'nothing is mounted there',
      },
      {
        url: `local-overlay://?root=${env.ROOT}&lower-store=${bad}&upper-layer=${env.UP}`,
        real: env.merged,
        actual: `actual mount: overlay overlay`,
      },
      {
        url: `local-overlay://?root=${env.ROOT}&lower-store=${env.A}&upper-layer=${bad}`,
        real: env.merged,
        actual: `actual mount: overlay overlay`,
      },
    ];
    for (const c of cases) {
      const r = doctor(c.url);
      assert.is(r.status, 1, c.url);
      assert.ok(
        r.out.includes(`problem: overlay filesystem "${c.real}" mounted incorrectly\n`),
        r.out,
      );
      assert.ok(r.out.includes(c.actual), `${c.url}\n${r.out}`);
      assert.match(r.out, /mount it with: mount -t overlay overlay -o '?lowerdir=/, r.out);
      assert.ok(r.out.endsWith('1 problem(s) found\n'), r.out);
    }
    // The third case's fix, applied: the overlay the URL asks for is mounted on top.
    const work = join(env.VOL, 'work2');
    mkdirSync(work);
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${env.A}/nix/store,upperdir=${bad},workdir=${work}`,
      env.merged,
    ]);
    const fixed = doctor(cases[2]!.url);
    assert.is(fixed.status, 0, fixed.out);
  }),
);

realTest('a lower store written after the mount is reported with the remount fix', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    await new Promise((r) => setTimeout(r, 1100));
    env.nixAdd(env.A, 'dupfile', FLAT.dupfile.content);
    const r = doctor(env.url());
    assert.is(r.status, 1, r.out);
    assert.match(r.out, /problem: the lower store changed after the overlay was mounted/);
    assert.match(r.out, /fix: strata overlay remount, or: mount -o remount /);
  }),
);

test.run();
