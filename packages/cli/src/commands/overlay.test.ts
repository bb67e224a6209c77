import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountUnitName, planOverlays, readMountInfo, renderPlanText } from '@strata/overlay';
import { captureStream, ROOT, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../index.js';

const test = suite('strata overlay');

async function run(d: string, argv: string[]) {
  const stdout = captureStream();
  const stderr = captureStream();
  const env = {
    HOME: d,
    NIX_CONF_DIR: `${d}/etc`,
    XDG_CONFIG_DIRS: `${d}/xdg`,
    PATH: process.env.PATH,
  };
  const code = await main(argv, { stdout, stderr, cwd: d, env });
  return { code, out: stdout.text(), err: stderr.text() };
}

function configure(d: string, overlays: unknown[]): void {
  writeFileSync(`${d}/strata.config.json`, JSON.stringify({ overlays }));
}

test('plan: text and --json, in mount order; file-system problems are warnings', () =>
  withTempDir(async (d) => {
    mkdirSync(`${d}/base`);
    const s1 = {
      mountPoint: `${d}/s1`,
      lowerdir: [`${d}/base`],
      upperdir: `${d}/u1`,
      workdir: `${d}/w1`,
    };
    const s2 = {
      mountPoint: `${d}/s 2`,
      lowerdir: [`${d}/s1`, `${d}/gone`],
      upperdir: null,
      workdir: null,
    };
    configure(d, [s2, s1]);
    const r = await run(d, ['overlay', 'plan']);
    assert.is(r.code, 0, r.err);
    const origin = (i: number) => ({
      kind: 'config-file' as const,
      file: `${d}/strata.config.json`,
      path: `overlays[${i}]`,
    });
    const expected = planOverlays([
      {
        mountPoint: `${d}/s 2`,
        device: 'overlay',
        lowerdir: [`${d}/s1`, `${d}/gone`],
        origin: origin(0),
      },
      { ...s1, device: 'overlay', origin: origin(1) },
    ]);
    assert.is(r.out, renderPlanText(expected));
    assert.ok(r.out.startsWith(`# ${d}/s1 (from ${d}/strata.config.json (overlays[1]))\n`));
    assert.is(
      r.err,
      `warning: overlay ${d}/s 2: lowerdir ${d}/gone does not exist or is not a directory\n`,
    );
    const j = await run(d, ['overlay', 'plan', '--json']);
    assert.equal(JSON.parse(j.out), JSON.parse(JSON.stringify(expected)));
  }));

test('plan: a validation error names the mount point', () =>
  withTempDir(async (d) => {
    configure(d, [{ mountPoint: '/mnt/x', lowerdir: ['/a'], upperdir: '/u' }]);
    const r = await run(d, ['overlay', 'plan']);
    assert.is(r.code, 1);
    assert.is(
      r.err,
      'error: You cannot define a `lowerdir` without a `workdir` and vice versa for mount point: /mnt/x\n' +
        `hint: defined at ${d}/strata.config.json (overlays[0])\n`,
    );
  }));

const OVERLAYFS = {
  name: 'overlayfs',
  check: () =>
    readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n')
      ? null
      : 'overlayfs is not available',
};
const mountTest = requires(test, ROOT, OVERLAYFS);

mountTest('mount, check, remount, umount a stack through the CLI', async () => {
  const v = mkdtempSync(join(tmpdir(), 'strata-overlay-cli-'));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', v]);
  try {
    mkdirSync(`${v}/base`);
    writeFileSync(`${v}/base/f`, 'base\n');
    const s1 = {
      mountPoint: `${v}/s1`,
      lowerdir: [`${v}/base`],
      upperdir: `${v}/u1`,
      workdir: `${v}/w1`,
    };
    const s2 = {
      mountPoint: `${v}/s-2`,
      lowerdir: [`${v}/s1`],
      upperdir: `${v}/u2`,
      workdir: `${v}/w2`,
    };
    configure(v, [s2, s1]);
    const before = await run(v, ['overlay', 'check']);
    assert.is(before.code, 1);
    assert.is(before.out, `unmounted: ${v}/s1\nunmounted: ${v}/s-2\n`);
    assert.is(before.err, 'error: 2 of 2 overlay mounts do not match the configuration\n');
    // By unit name: the top of the stack pulls in the overlay below it.
    const m = await run(v, ['overlay', 'mount', mountUnitName(`${v}/s-2`)]);
    assert.is(m.code, 0, m.err);
    assert.is(m.out, `mounted: ${v}/s1\nmounted: ${v}/s-2\n`);
    assert.is(readFileSync(`${v}/s-2/f`, 'utf8'), 'base\n');
    assert.is(
      (await run(v, ['overlay', 'mount'])).out,
      `already mounted: ${v}/s1\nalready mounted: ${v}/s-2\n`,
    );
    const ok = await run(v, ['overlay', 'check']);
    assert.is(ok.code, 0, ok.err);
    assert.is(ok.out, `mounted: ${v}/s1\nmounted: ${v}/s-2\n`);
    const re = await run(v, ['-v', 'overlay', 'remount', `${v}/s-2`]);
    assert.is(re.out, `remounted: ${v}/s-2\n  $ mount -o remount ${v}/s-2\n`);
    const j = await run(v, ['--json', 'overlay', 'umount', `${v}/s1`]);
    assert.equal(JSON.parse(j.out), [
      { mountPoint: `${v}/s-2`, outcome: 'unmounted', commands: [`umount ${v}/s-2`] },
      { mountPoint: `${v}/s1`, outcome: 'unmounted', commands: [`umount ${v}/s1`] },
    ]);
    assert.equal(
      readMountInfo().filter((e) => e.mountPoint.startsWith(`${v}/`)),
      [],
    );
  } finally {
    for (const e of readMountInfo()
      .filter((x) => x.mountPoint.startsWith(`${v}/`))
      .reverse()) {
      execFileSync('umount', [e.mountPoint]);
    }
    execFileSync('umount', [v]);
    rmSync(v, { recursive: true, force: true });
  }
});

test.run();
