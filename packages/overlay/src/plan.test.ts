import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { OverlayMount } from './model.js';
import { planOverlays, renderPlanText } from './plan.js';
import {
  fstabEscape,
  fstabLine,
  mountArgv,
  mountUnit,
  preMountService,
  shellCommand,
} from './render.js';
import { systemdEscapePath } from './systemd-escape.js';

const test = suite('overlay plan');

const AB: OverlayMount = {
  mountPoint: '/mnt/a-b',
  device: 'overlay',
  lowerdir: ['/lower1', '/lower2'],
  upperdir: '/persist/upper',
  workdir: '/persist/work',
};

const ODD: OverlayMount = {
  mountPoint: '/mnt/my store/ü',
  device: 'overlay',
  lowerdir: ['/lo wer', '/c:o,l'],
  upperdir: "/up 'q' $x %i",
  workdir: '/w,k',
};

const RO: OverlayMount = { mountPoint: '/ro', device: 'overlay', lowerdir: ['/a', '/b'] };

test('fstab line of spec §8.4, verbatim', () => {
  assert.is(
    fstabLine(AB),
    'overlay /mnt/a-b overlay lowerdir=/lower1:/lower2,upperdir=/persist/upper,workdir=/persist/work,x-systemd.requires-mounts-for=/lower1,x-systemd.requires-mounts-for=/lower2,x-systemd.requires-mounts-for=/persist/upper,x-systemd.requires-mounts-for=/persist/work 0 0',
  );
  assert.is(fstabEscape('a b\tc\nd\\e'), 'a\\040b\\011c\\012d\\134e');
});

test('mount command: escaped options, shell-quoted words', () => {
  assert.equal(mountArgv(ODD), [
    'mount',
    '-t',
    'overlay',
    'overlay',
    '-o',
    "lowerdir=/lo wer:/c\\:o\\,l,upperdir=/up 'q' $x %i,workdir=/w\\,k",
    '/mnt/my store/ü',
  ]);
  assert.is(
    shellCommand(mountArgv(ODD)),
    `mount -t overlay overlay -o 'lowerdir=/lo wer:/c\\:o\\,l,upperdir=/up '\\''q'\\'' $x %i,workdir=/w\\,k' '/mnt/my store/ü'`,
  );
  // The shell line splits back into exactly the argv.
  const words = spawnSync('sh', ['-c', `printf '%s\\0' ${shellCommand(mountArgv(ODD))}`], {
    encoding: 'utf8',
  });
  assert.equal(words.stdout.split('\0').slice(0, -1), mountArgv(ODD));
});

// Golden: checked by hand against systemd 252 (names with systemd-escape, the fstab line
// with systemd-fstab-generator, see the test below).
const GOLDEN_TEXT = `# /mnt/a-b
mkdir -p -m 0755 /persist/upper /persist/work
mkdir -p /mnt/a-b
mount -t overlay overlay -o lowerdir=/lower1:/lower2,upperdir=/persist/upper,workdir=/persist/work /mnt/a-b

# /etc/fstab
overlay /mnt/a-b overlay lowerdir=/lower1:/lower2,upperdir=/persist/upper,workdir=/persist/work,x-systemd.requires-mounts-for=/lower1,x-systemd.requires-mounts-for=/lower2,x-systemd.requires-mounts-for=/persist/upper,x-systemd.requires-mounts-for=/persist/work 0 0

# mnt-a\\x2db.mount
[Unit]
Description=Overlay file system on /mnt/a-b
RequiresMountsFor=/lower1 /lower2 /persist/upper /persist/work
Requires=rw-mnt-a\\x2db.service
After=rw-mnt-a\\x2db.service
Before=local-fs.target

[Mount]
What=overlay
Where=/mnt/a-b
Type=overlay
Options=lowerdir=/lower1:/lower2,upperdir=/persist/upper,workdir=/persist/work

[Install]
RequiredBy=local-fs.target

# rw-mnt-a\\x2db.service
[Unit]
Description=Create the upper and work directories of the overlay on /mnt/a-b
DefaultDependencies=no
RequiresMountsFor=/persist/upper /persist/work
Before=mnt-a\\x2db.mount

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=mkdir -p -m 0755 "/persist/upper" "/persist/work"

[Install]
RequiredBy=mnt-a\\x2db.mount

# /mnt/my store/ü
mkdir -p -m 0755 '/up '\\''q'\\'' $x %i' /w,k
mkdir -p '/mnt/my store/ü'
mount -t overlay overlay -o 'lowerdir=/lo wer:/c\\:o\\,l,upperdir=/up '\\''q'\\'' $x %i,workdir=/w\\,k' '/mnt/my store/ü'

# /etc/fstab
overlay /mnt/my\\040store/ü overlay lowerdir=/lo\\040wer:/c\\134:o\\134,l,upperdir=/up\\040'q'\\040$x\\040%i,workdir=/w\\134,k,x-systemd.requires-mounts-for=/lo\\040wer,x-systemd.requires-mounts-for=/c:o\\134,l,x-systemd.requires-mounts-for=/up\\040'q'\\040$x\\040%i,x-systemd.requires-mounts-for=/w\\134,k 0 0

# mnt-my\\x20store-\\xc3\\xbc.mount
[Unit]
Description=Overlay file system on /mnt/my store/ü
RequiresMountsFor="/lo wer" /c:o,l "/up 'q' $x %%i" /w,k
Requires=rw-mnt-my\\x20store-\\xc3\\xbc.service
After=rw-mnt-my\\x20store-\\xc3\\xbc.service
Before=local-fs.target

[Mount]
What=overlay
Where=/mnt/my store/ü
Type=overlay
Options=lowerdir=/lo wer:/c\\:o\\,l,upperdir=/up 'q' $x %%i,workdir=/w\\,k

[Install]
RequiredBy=local-fs.target

# rw-mnt-my\\x20store-\\xc3\\xbc.service
[Unit]
Description=Create the upper and work directories of the overlay on /mnt/my store/ü
DefaultDependencies=no
RequiresMountsFor="/up 'q' $x %%i" /w,k
Before=mnt-my\\x20store-\\xc3\\xbc.mount

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=mkdir -p -m 0755 "/up 'q' $$x %%i" "/w,k"

[Install]
RequiredBy=mnt-my\\x20store-\\xc3\\xbc.mount

# /ro
mkdir -p /ro
mount -t overlay overlay -o lowerdir=/a:/b /ro

# /etc/fstab
overlay /ro overlay lowerdir=/a:/b,x-systemd.requires-mounts-for=/a,x-systemd.requires-mounts-for=/b 0 0

# ro.mount
[Unit]
Description=Overlay file system on /ro
RequiresMountsFor=/a /b
Before=local-fs.target

[Mount]
What=overlay
Where=/ro
Type=overlay
Options=lowerdir=/a:/b

[Install]
RequiredBy=local-fs.target
`;

test('plan text (golden): commands, fstab line, units; read-only overlays get no service', () => {
  assert.is(renderPlanText(planOverlays([AB, ODD, RO])), GOLDEN_TEXT);
  assert.is(preMountService(RO), undefined);
});

test('plan JSON shape and stacking order', () => {
  const s1: OverlayMount = {
    ...AB,
    mountPoint: '/st/s1',
    lowerdir: ['/st/l0'],
    upperdir: '/st/u1',
    workdir: '/st/w1',
  };
  const s2: OverlayMount = {
    ...AB,
    mountPoint: '/st/s2',
    lowerdir: ['/st/s1'],
    upperdir: '/st/u2',
    workdir: '/st/w2',
  };
  const plans = planOverlays([
    s2,
    { ...s1, origin: { kind: 'config-file', file: '/c.yaml', path: 'overlays[1]' } },
  ]);
  assert.equal(
    plans.map((p) => [p.mountPoint, p.unit, p.origin]),
    [
      ['/st/s1', 'st-s1.mount', '/c.yaml (overlays[1])'],
      ['/st/s2', 'st-s2.mount', undefined],
    ],
  );
  assert.equal(plans[0]!.commands, [
    {
      argv: ['mkdir', '-p', '-m', '0755', '/st/u1', '/st/w1'],
      shell: 'mkdir -p -m 0755 /st/u1 /st/w1',
    },
    { argv: ['mkdir', '-p', '/st/s1'], shell: 'mkdir -p /st/s1' },
    {
      argv: [
        'mount',
        '-t',
        'overlay',
        'overlay',
        '-o',
        'lowerdir=/st/l0,upperdir=/st/u1,workdir=/st/w1',
        '/st/s1',
      ],
      shell: 'mount -t overlay overlay -o lowerdir=/st/l0,upperdir=/st/u1,workdir=/st/w1 /st/s1',
    },
  ]);
  assert.equal(
    plans[1]!.units.map((u) => u.name),
    ['st-s2.mount', 'rw-st-s2.service'],
  );
  assert.match(renderPlanText(plans), '# /st/s1 (from /c.yaml (overlays[1]))\n');
});

const SYSTEMD = {
  name: 'systemd tools',
  check: () =>
    spawnSync('systemd-escape', ['--version']).status !== 0
      ? 'systemd-escape not installed'
      : existsSync(GENERATOR)
        ? null
        : `${GENERATOR} not installed`,
};
const GENERATOR = '/usr/lib/systemd/system-generators/systemd-fstab-generator';
const withSystemd = requires(test, SYSTEMD);

withSystemd(
  'unit names match systemd-escape; fstab lines give our unit via systemd-fstab-generator',
  () =>
    withTempDir((d) => {
      // Paths with '-', spaces, non-ASCII, ':' and ',' (backslashes are left out: the generator
      // of systemd 252 drops one of two backslashes when it copies Options=).
      const mounts: OverlayMount[] = [
        AB,
        { ...AB, mountPoint: '/srv/team-a/nix store', upperdir: '/persist/up:per' },
        { ...RO, mountPoint: '/mnt/日本/ünï-cødé', lowerdir: ['/a,b', '/c:d'] },
      ];
      writeFileSync(`${d}/fstab`, `${mounts.map(fstabLine).join('\n')}\n`);
      mkdirSync(`${d}/out`);
      const r = spawnSync(GENERATOR, [`${d}/out`, `${d}/out`, `${d}/out`], {
        env: { ...process.env, SYSTEMD_FSTAB: `${d}/fstab`, SYSTEMD_LOG_LEVEL: 'err' },
        encoding: 'utf8',
      });
      assert.is(r.status, 0, r.stderr);
      for (const m of mounts) {
        const escaped = spawnSync('systemd-escape', ['--path', '--', m.mountPoint], {
          encoding: 'utf8',
        });
        assert.is(systemdEscapePath(m.mountPoint), escaped.stdout.trim());
        const ours = mountUnit(m);
        const generated = readFileSync(`${d}/out/${ours.name}`, 'utf8');
        const field = (text: string, key: string) =>
          text.split('\n').find((l) => l.startsWith(`${key}=`));
        for (const key of ['What', 'Where', 'Type']) {
          assert.is(field(generated, key), field(ours.text, key), `${m.mountPoint} ${key}`);
        }
        const requiresFor = fstabLine(m)
          .split(' ')[3]!
          .split(',')
          .filter((o) => o.startsWith('x-systemd.'));
        assert.ok(field(generated, 'Options')!.startsWith(field(ours.text, 'Options')!));
        assert.is(requiresFor.length, m.lowerdir.length + (m.upperdir ? 2 : 0));
        if (!/[ ,]/.test(m.lowerdir.join('') + (m.upperdir ?? ''))) {
          assert.is(field(generated, 'RequiresMountsFor'), field(ours.text, 'RequiresMountsFor'));
        }
      }
    }),
);

test.run();
