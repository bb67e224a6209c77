import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, rejectsWith, requires, throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { OverlayMount } from './model.js';
import { overlayLayers } from './mountinfo.js';
import {
  checkOverlays,
  mountOverlays,
  readMountInfo,
  remountOverlays,
  selectOverlays,
  umountOverlays,
} from './runner.js';

const test = suite('overlay runner (real mounts)');

/** Runs `fn` inside a fresh tmpfs; unmounts everything below it (last first) afterwards. */
async function withScratch(fn: (v: string) => Promise<void>): Promise<void> {
  const v = mkdtempSync(join(tmpdir(), 'strata-overlay-'));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', v]);
  try {
    await fn(v);
  } finally {
    const below = readMountInfo()
      .filter((m) => m.mountPoint.startsWith(`${v}/`))
      .reverse();
    for (const m of below) execFileSync('umount', [m.mountPoint]);
    execFileSync('umount', [v]);
    rmSync(v, { recursive: true, force: true });
  }
}

const OVERLAYFS = {
  name: 'overlayfs',
  check: () =>
    readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n')
      ? null
      : 'overlayfs is not available (modprobe overlay)',
};
const mountTest = requires(test, ROOT, OVERLAYFS);

function dirs(v: string, ...names: string[]): void {
  for (const n of names) mkdirSync(join(v, n), { recursive: true });
}

const outcomes = (list: readonly { mountPoint: string; outcome: string }[]) =>
  list.map((o) => [o.mountPoint, o.outcome]);

mountTest('mount, check, remount, umount round trip; idempotent; odd characters in paths', () =>
  withScratch(async (v) => {
    dirs(v, 'low er', 'c:o,l');
    writeFileSync(`${v}/c:o,l/from-lower`, 'lower\n');
    const m: OverlayMount = {
      mountPoint: `${v}/mer ged-ü`,
      device: 'overlay',
      lowerdir: [`${v}/low er`, `${v}/c:o,l`],
      upperdir: `${v}/state/up,per`,
      workdir: `${v}/state/wo:rk`,
    };
    assert.equal(checkOverlays([m]), [
      { mountPoint: m.mountPoint, state: 'unmounted', differences: [] },
    ]);
    const first = await mountOverlays([m]);
    assert.equal(first, [
      {
        mountPoint: m.mountPoint,
        outcome: 'mounted',
        commands: [
          `mkdir -p -m 0755 ${v}/state/up,per ${v}/state/wo:rk`,
          `mkdir -p '${v}/mer ged-ü'`,
          `mount -t overlay overlay -o 'lowerdir=${v}/low er:${v}/c\\:o\\,l,upperdir=${v}/state/up\\,per,workdir=${v}/state/wo:rk' '${v}/mer ged-ü'`,
        ],
      },
    ]);
    assert.is(readFileSync(`${m.mountPoint}/from-lower`, 'utf8'), 'lower\n');
    writeFileSync(`${m.mountPoint}/new`, 'x');
    assert.ok(existsSync(`${v}/state/up,per/new`));
    const live = readMountInfo().findLast((e) => e.mountPoint === m.mountPoint)!;
    assert.equal(overlayLayers(live.superOptions).lowerdir, m.lowerdir);
    assert.equal(checkOverlays([m]), [
      { mountPoint: m.mountPoint, state: 'mounted', differences: [] },
    ]);
    // Idempotent: nothing to do the second time.
    assert.equal(outcomes(await mountOverlays([m])), [[m.mountPoint, 'already mounted']]);
    assert.equal(await remountOverlays([m]), [
      {
        mountPoint: m.mountPoint,
        outcome: 'remounted',
        commands: [`mount -o remount '${v}/mer ged-ü'`],
      },
    ]);
    assert.is(readMountInfo().filter((e) => e.mountPoint === m.mountPoint).length, 1);
    assert.equal(outcomes(await umountOverlays([m])), [[m.mountPoint, 'unmounted']]);
    assert.equal(outcomes(await umountOverlays([m])), [[m.mountPoint, 'not mounted']]);
    // The kernel's leftovers in the workdir do not stop a second mount.
    assert.equal(outcomes(await mountOverlays([m])), [[m.mountPoint, 'mounted']]);
    assert.is(readFileSync(`${m.mountPoint}/new`, 'utf8'), 'x');
    await rejectsWith(
      () => remountOverlays([{ ...m, mountPoint: `${v}/elsewhere` }]),
      'STRATA_ERR_OVERLAY_NOT_MOUNTED',
      `overlay ${v}/elsewhere is not mounted`,
    );
  }),
);

mountTest('read-only overlay of two lower layers', () =>
  withScratch(async (v) => {
    dirs(v, 'l1', 'l2');
    writeFileSync(`${v}/l1/x`, '1');
    writeFileSync(`${v}/l2/x`, '2');
    writeFileSync(`${v}/l2/only2`, '');
    const m: OverlayMount = {
      mountPoint: `${v}/ro`,
      device: 'overlay',
      lowerdir: [`${v}/l1`, `${v}/l2`],
    };
    await mountOverlays([m]);
    assert.is(readFileSync(`${v}/ro/x`, 'utf8'), '1');
    assert.ok(existsSync(`${v}/ro/only2`));
    assert.throws(() => writeFileSync(`${v}/ro/new`, ''), /EROFS/);
    assert.equal(checkOverlays([m])[0]!.state, 'mounted');
  }),
);

mountTest('a 3-level stack (base + 2 overlays) mounts bottom-up and unmounts top-down', () =>
  withScratch(async (v) => {
    dirs(v, 'l0/nix/store');
    writeFileSync(`${v}/l0/nix/store/base`, 'base\n');
    const level = (k: number, lower: string): OverlayMount => ({
      mountPoint: `${v}/s${k}/nix/store`,
      device: 'overlay',
      lowerdir: [lower],
      upperdir: `${v}/s${k}-upper`,
      workdir: `${v}/s${k}-work`,
    });
    const s1 = level(1, `${v}/l0/nix/store`);
    const s2 = level(2, s1.mountPoint);
    const all = [s2, s1];
    // Naming only the top pulls in what it stacks on, lower first.
    assert.equal(outcomes(await mountOverlays(all, [`${v}/s2/nix/store`])), [
      [s1.mountPoint, 'mounted'],
      [s2.mountPoint, 'mounted'],
    ]);
    const ids = readMountInfo().filter((e) => e.fsType === 'overlay' && e.mountPoint.startsWith(v));
    assert.equal(
      ids.map((e) => e.mountPoint),
      [s1.mountPoint, s2.mountPoint],
    );
    assert.is(readFileSync(`${s2.mountPoint}/base`, 'utf8'), 'base\n');
    // A write through level 1 shows in level 2 after remounting it (bottom-up).
    writeFileSync(`${s1.mountPoint}/one`, 'one\n');
    assert.equal(outcomes(await remountOverlays(all)), [
      [s1.mountPoint, 'remounted'],
      [s2.mountPoint, 'remounted'],
    ]);
    assert.is(readFileSync(`${s2.mountPoint}/one`, 'utf8'), 'one\n');
    assert.equal(
      checkOverlays(all).map((c) => [c.mountPoint, c.state]),
      [
        [s1.mountPoint, 'mounted'],
        [s2.mountPoint, 'mounted'],
      ],
    );
    // A third nested overlay exceeds the kernel's stacking depth: refused before any command.
    const s3 = level(3, s2.mountPoint);
    await rejectsWith(
      () => mountOverlays([...all, s3]),
      'STRATA_ERR_OVERLAY_TOO_DEEP',
      `overlay ${s3.mountPoint} would be the third overlay in a nested stack (${s1.mountPoint} <- ${s2.mountPoint} <- ${s3.mountPoint}); the kernel allows two (maximum fs stacking depth exceeded)`,
    );
    assert.not.ok(existsSync(s3.mountPoint));
    // What the kernel refuses otherwise is reported with the command: an upper dir on overlayfs.
    const s4: OverlayMount = {
      ...level(4, `${v}/l0/nix/store`),
      upperdir: `${s2.mountPoint}/u4`,
      workdir: `${s2.mountPoint}/w4`,
    };
    const e = await rejectsWith(
      () => mountOverlays([...all, s4]),
      'STRATA_ERR_OVERLAY_COMMAND_FAILED',
    );
    assert.match(
      e.message,
      `command 'mount -t overlay overlay -o lowerdir=${v}/l0/nix/store,upperdir=${s2.mountPoint}/u4,`,
    );
    assert.match(e.message, 'wrong fs type');
    // Unmounting the bottom level takes the one stacked on it down first.
    assert.equal(outcomes(await umountOverlays([...all, s3], [s1.mountPoint])), [
      [s3.mountPoint, 'not mounted'],
      [s2.mountPoint, 'unmounted'],
      [s1.mountPoint, 'unmounted'],
    ]);
    assert.equal(
      readMountInfo().filter((e) => e.mountPoint.startsWith(`${v}/`)),
      [],
    );
  }),
);

mountTest('mounted differently: an error with the difference, and nothing is changed', () =>
  withScratch(async (v) => {
    dirs(v, 'l1', 'l2', 'm');
    const m: OverlayMount = {
      mountPoint: `${v}/m`,
      device: 'overlay',
      lowerdir: [`${v}/l1`],
      upperdir: `${v}/u`,
      workdir: `${v}/w`,
    };
    const other = { ...m, lowerdir: [`${v}/l2`, `${v}/l1`] };
    await mountOverlays([other]);
    const difference = `lowerdir is ${JSON.stringify(other.lowerdir)}, configured ${JSON.stringify(m.lowerdir)}`;
    const message = `overlay ${v}/m is mounted differently than configured: ${difference}`;
    await rejectsWith(() => mountOverlays([m]), 'STRATA_ERR_OVERLAY_MOUNTED_DIFFERENTLY', message);
    await rejectsWith(() => umountOverlays([m]), 'STRATA_ERR_OVERLAY_MOUNTED_DIFFERENTLY', message);
    await rejectsWith(
      () => remountOverlays([m]),
      'STRATA_ERR_OVERLAY_MOUNTED_DIFFERENTLY',
      message,
    );
    assert.equal(checkOverlays([m]), [
      { mountPoint: m.mountPoint, state: 'different', differences: [difference] },
    ]);
    await umountOverlays([other]);
    execFileSync('mount', ['-t', 'tmpfs', 'scratch', `${v}/m`]);
    assert.equal(checkOverlays([m])[0]!.differences, [
      'file system type is "tmpfs", configured "overlay"',
    ]);
  }),
);

mountTest('file-system validation happens before anything is mounted', () =>
  withScratch(async (v) => {
    dirs(v, 'l', 'w/stray');
    const ok: OverlayMount = {
      mountPoint: `${v}/ok`,
      device: 'overlay',
      lowerdir: [`${v}/l`],
      upperdir: `${v}/u0`,
      workdir: `${v}/w0`,
    };
    const bad: OverlayMount = {
      ...ok,
      mountPoint: `${v}/bad`,
      upperdir: `${v}/u`,
      workdir: `${v}/w`,
    };
    await rejectsWith(
      () => mountOverlays([ok, bad]),
      'STRATA_ERR_OVERLAY_WORKDIR_NOT_EMPTY',
      `overlay ${v}/bad: workdir ${v}/w is not empty`,
    );
    await rejectsWith(
      () => mountOverlays([ok, { ...bad, lowerdir: [`${v}/missing`], workdir: `${v}/w2` }]),
      'STRATA_ERR_OVERLAY_LOWERDIR_MISSING',
      `overlay ${v}/bad: lowerdir ${v}/missing does not exist or is not a directory`,
    );
    mkdirSync('/dev/shm/strata-overlay-test-w', { recursive: true });
    try {
      await rejectsWith(
        () => mountOverlays([{ ...bad, workdir: '/dev/shm/strata-overlay-test-w' }]),
        'STRATA_ERR_OVERLAY_WORKDIR_OTHER_FS',
        `overlay ${v}/bad: workdir /dev/shm/strata-overlay-test-w is not on the same file system as upperdir ${v}/u`,
      );
    } finally {
      rmSync('/dev/shm/strata-overlay-test-w', { recursive: true, force: true });
    }
    assert.equal(checkOverlays([ok])[0]!.state, 'unmounted');
  }),
);

test('root is required to change mounts', async () => {
  const m: OverlayMount = { mountPoint: '/m', device: 'overlay', lowerdir: ['/a', '/b'] };
  for (const command of ['mount', 'umount', 'remount'] as const) {
    const run = { mount: mountOverlays, umount: umountOverlays, remount: remountOverlays }[command];
    await rejectsWith(
      () => run([m], [], { uid: 1000 }),
      'STRATA_ERR_OVERLAY_NOT_ROOT',
      `'strata overlay ${command}' needs root (CAP_SYS_ADMIN) to change mounts`,
    );
  }
});

test('names select by mount point or unit name', () => {
  const a: OverlayMount = { mountPoint: '/mnt/a-b', device: 'overlay', lowerdir: ['/x', '/y'] };
  const b: OverlayMount = { ...a, mountPoint: '/srv/c' };
  assert.equal(selectOverlays([a, b], []), [a, b]);
  assert.equal(selectOverlays([a, b], ['srv-c.mount', '/mnt/a-b/']), [a, b]);
  assert.equal(selectOverlays([a, b], ['mnt-a\\x2db']), [a]);
  throwsWith(
    () => selectOverlays([a, b], ['/nope']),
    'STRATA_ERR_OVERLAY_UNKNOWN_NAME',
    "no overlay mount '/nope' in the configuration (give a mount point or its unit name)",
  );
});

test.run();
