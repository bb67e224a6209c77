import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type FileSystemProbe,
  liveLayerConflicts,
  nodeFileSystem,
  type OverlayMount,
  overlayMountFromConfig,
  validateOverlayFileSystem,
  validateOverlays,
} from './model.js';
import { checkStackingDepth, mountOrder, unmountOrder, withRelated } from './order.js';

const test = suite('overlay model, validation and order');

const rw: OverlayMount = {
  mountPoint: '/mnt/a-b',
  device: 'overlay',
  lowerdir: ['/lower1', '/lower2'],
  upperdir: '/persist/upper',
  workdir: '/persist/work',
};

test('config entries become the model (null means unset, device defaults to overlay)', () => {
  const origin = {
    kind: 'config-file' as const,
    file: '/p/strata.config.yaml',
    path: 'overlays[0]',
  };
  assert.equal(
    overlayMountFromConfig({
      mountPoint: '/m',
      lowerdir: ['/a', '/b'],
      upperdir: null,
      workdir: null,
      origin,
    }),
    { mountPoint: '/m', device: 'overlay', lowerdir: ['/a', '/b'], origin },
  );
  assert.equal(overlayMountFromConfig({ ...rw, device: 'nixstore' }), {
    ...rw,
    device: 'nixstore',
  });
});

test('every structural error, each naming the mount point', () => {
  validateOverlays([rw, { ...rw, mountPoint: '/m2', upperdir: undefined, workdir: undefined }]);
  throwsWith(
    () => validateOverlays([{ ...rw, workdir: undefined }]),
    'STRATA_ERR_OVERLAY_UPPER_WITHOUT_WORK',
    'You cannot define a `lowerdir` without a `workdir` and vice versa for mount point: /mnt/a-b',
  );
  throwsWith(
    () => validateOverlays([{ ...rw, upperdir: undefined }]),
    'STRATA_ERR_OVERLAY_UPPER_WITHOUT_WORK',
    'You cannot define a `lowerdir` without a `workdir` and vice versa for mount point: /mnt/a-b',
  );
  throwsWith(
    () => validateOverlays([{ ...rw, lowerdir: ['/l'], upperdir: undefined, workdir: undefined }]),
    'STRATA_ERR_OVERLAY_READ_ONLY_ONE_LOWER',
    'A read-only overlay (without an `upperdir`) requires at least 2 `lowerdir`s: /mnt/a-b',
  );
  throwsWith(
    () => validateOverlays([{ ...rw, lowerdir: ['/l', 'rel/dir'] }]),
    'STRATA_ERR_OVERLAY_NOT_ABSOLUTE',
    "overlay /mnt/a-b: lowerdir[1] 'rel/dir' is not an absolute path",
  );
  throwsWith(
    () => validateOverlays([{ ...rw, workdir: 'work' }]),
    'STRATA_ERR_OVERLAY_NOT_ABSOLUTE',
    "overlay /mnt/a-b: workdir 'work' is not an absolute path",
  );
  throwsWith(
    () => validateOverlays([{ ...rw, mountPoint: 'mnt' }]),
    'STRATA_ERR_OVERLAY_NOT_ABSOLUTE',
    "overlay mnt: mountPoint 'mnt' is not an absolute path",
  );
  throwsWith(
    () => validateOverlays([{ ...rw, upperdir: '/up\nper' }]),
    'STRATA_ERR_OVERLAY_BAD_PATH',
    'overlay /mnt/a-b: upperdir "/up\\nper" must not contain a newline or NUL',
  );
  throwsWith(
    () => validateOverlays([{ ...rw, workdir: '/persist/upper/work' }]),
    'STRATA_ERR_OVERLAY_OVERLAPPING',
    'overlay /mnt/a-b: upperdir /persist/upper and workdir /persist/upper/work must be separate subtrees',
  );
  throwsWith(
    () => validateOverlays([{ ...rw, mountPoint: '/persist/work/m' }]),
    'STRATA_ERR_OVERLAY_OVERLAPPING',
    'overlay /persist/work/m: the mount point must not be inside the workdir /persist/work',
  );
  for (const [mountPoint, normalized] of [
    ['/a//b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/', '/a'],
  ]) {
    throwsWith(
      () => validateOverlays([{ ...rw, mountPoint }]),
      'STRATA_ERR_OVERLAY_NOT_NORMALIZED',
      `overlay ${mountPoint}: the mount point is not a normalized path (write '${normalized}')`,
    );
  }
  const e = throwsWith(
    () =>
      validateOverlays([
        rw,
        { ...rw, origin: { kind: 'config-file', file: '/s.yaml', path: 'overlays[1]' } },
      ]),
    'STRATA_ERR_OVERLAY_DUPLICATE',
    'overlay mount point /mnt/a-b is configured more than once',
  );
  assert.is(e.hint, 'defined at /s.yaml (overlays[1])');
});

test("':' ',' and '\\' in paths are allowed (escaped when rendered)", () => {
  validateOverlays([
    { ...rw, lowerdir: ['/a:b', '/c,d', '/e\\f'], upperdir: '/u:,', workdir: '/w\\' },
  ]);
});

function probe(dirs: Record<string, { dev?: number; entries?: string[] }>): FileSystemProbe {
  return {
    isDirectory: (p) => p in dirs,
    deviceOf: (p) => dirs[p]?.dev ?? 1,
    entries: (p) => dirs[p]?.entries,
  };
}

test('file-system errors: missing lowerdir, workdir on another fs or not empty', () => {
  const ok = probe({
    '/lower1': {},
    '/lower2': {},
    '/persist/work': { entries: ['work', 'index'] },
  });
  validateOverlayFileSystem(rw, [], ok);
  throwsWith(
    () => validateOverlayFileSystem(rw, [], probe({ '/lower1': {} })),
    'STRATA_ERR_OVERLAY_LOWERDIR_MISSING',
    'overlay /mnt/a-b: lowerdir /lower2 does not exist or is not a directory',
  );
  // A lower layer under another overlay's mount point appears once that one is mounted.
  validateOverlayFileSystem(rw, ['/lower2'], probe({ '/lower1': {} }));
  throwsWith(
    () =>
      validateOverlayFileSystem(
        rw,
        [],
        probe({ '/lower1': {}, '/lower2': {}, '/persist/work': { dev: 2 } }),
      ),
    'STRATA_ERR_OVERLAY_WORKDIR_OTHER_FS',
    'overlay /mnt/a-b: workdir /persist/work is not on the same file system as upperdir /persist/upper',
  );
  throwsWith(
    () =>
      validateOverlayFileSystem(
        rw,
        [],
        probe({ '/lower1': {}, '/lower2': {}, '/persist/work': { entries: ['work', 'stray'] } }),
      ),
    'STRATA_ERR_OVERLAY_WORKDIR_NOT_EMPTY',
    'overlay /mnt/a-b: workdir /persist/work is not empty',
  );
});

test('the real file-system probe', () =>
  withTempDir((d) => {
    mkdirSync(`${d}/l`);
    writeFileSync(`${d}/f`, '');
    assert.ok(nodeFileSystem.isDirectory(`${d}/l`));
    assert.not.ok(nodeFileSystem.isDirectory(`${d}/f`));
    assert.not.ok(nodeFileSystem.isDirectory(`${d}/none`));
    // A directory that does not exist yet has the device of its nearest existing ancestor.
    assert.is(nodeFileSystem.deviceOf(`${d}/x/y/z`), statSync(d, { bigint: true }).dev);
    assert.equal(nodeFileSystem.entries(`${d}/l`), []);
    assert.is(nodeFileSystem.entries(`${d}/none`), undefined);
    const devShm = statSync('/dev/shm', { throwIfNoEntry: false });
    if (devShm && devShm.dev !== statSync(d).dev) {
      throwsWith(
        () =>
          validateOverlayFileSystem({
            ...rw,
            lowerdir: [`${d}/l`],
            upperdir: `${d}/u`,
            workdir: '/dev/shm/strata-w',
          }),
        'STRATA_ERR_OVERLAY_WORKDIR_OTHER_FS',
      );
    }
  }));

const mk = (
  mountPoint: string,
  lowerdir: string[],
  upper = `${mountPoint}-upper`,
): OverlayMount => ({
  mountPoint,
  device: 'overlay',
  lowerdir,
  upperdir: upper,
  workdir: `${mountPoint}-work`,
});

test('stacked overlays are ordered below-first (depth-first from the configured order)', () => {
  const s1 = mk('/st/s1/nix/store', ['/st/l0/nix/store']);
  const s2 = mk('/st/s2/nix/store', ['/st/s1/nix/store']);
  const s3 = mk('/st/s3/nix/store', ['/st/s2/nix/store/sub', '/st/other']);
  const x = mk('/x', ['/y']);
  assert.equal(mountOrder([s3, x, s2, s1]), [s1, s2, s3, x]);
  assert.equal(unmountOrder([s3, x, s2, s1]), [x, s3, s2, s1]);
  assert.equal(mountOrder([x, s1, s2, s3]), [x, s1, s2, s3]);
  assert.equal(withRelated([s2], [s1, s2, s3, x], 'below'), [s1, s2]);
  assert.equal(withRelated([s2], [s1, s2, s3, x], 'above'), [s2, s3]);
  // An upper dir under another overlay's mount point is a dependency too.
  const u = mk('/u', ['/a'], '/x/upper');
  assert.equal(mountOrder([u, x]), [x, u]);
});

test('at most two overlays in a nested stack; flat stacking has no such limit', () => {
  const s1 = mk('/st/s1', ['/st/l0']);
  const s2 = mk('/st/s2', ['/st/s1']);
  const s3 = mk('/st/s3', ['/st/s2/sub', '/st/l0']);
  const x = mk('/x', ['/st/s1', '/y']);
  checkStackingDepth([s1, s2, x]);
  throwsWith(
    () => checkStackingDepth([s3, x, s2, s1]),
    'STRATA_ERR_OVERLAY_TOO_DEEP',
    'overlay /st/s3 would be the third overlay in a nested stack (/st/s1 <- /st/s2 <- /st/s3); the kernel allows two (maximum fs stacking depth exceeded)',
  );
  // Flat: the upper layers of the levels below, then the base (spec §7.3).
  checkStackingDepth([s1, s2, mk('/st/s3', ['/st/s2-upper', '/st/s1-upper', '/st/l0'])]);
  // An upper dir on another overlay is not nesting (the kernel refuses it for another reason).
  checkStackingDepth([s1, s2, mk('/z', ['/st/l0'], '/st/s2/upper')]);
});

test('two overlays sharing an upper or work dir are refused; live conflicts are listed', () => {
  const a: OverlayMount = { ...rw, mountPoint: '/mnt/a' };
  throwsWith(
    () => validateOverlays([a, { ...rw, mountPoint: '/mnt/b', workdir: '/persist/work-b' }]),
    'STRATA_ERR_OVERLAY_OVERLAPPING',
    'overlay /mnt/b: upperdir /persist/upper is also the upperdir of overlay /mnt/a',
  );
  throwsWith(
    () => validateOverlays([a, { ...rw, mountPoint: '/mnt/b', upperdir: '/persist/up-b' }]),
    'STRATA_ERR_OVERLAY_OVERLAPPING',
    'overlay /mnt/b: workdir /persist/work is also the workdir of overlay /mnt/a',
  );
  const s1 = { mountPoint: '/s1', lowerdir: ['/l0'], upperdir: '/up1', workdir: '/w1' };
  const flat: OverlayMount = {
    mountPoint: '/s2',
    device: 'overlay',
    lowerdir: ['/up1', '/l0'],
    upperdir: '/up2',
    workdir: '/w2',
  };
  assert.equal(liveLayerConflicts(flat, [s1]), [
    'lowerdir /up1 is the writable layer of the overlay mounted on /s1',
  ]);
  assert.equal(liveLayerConflicts(flat, [{ mountPoint: '/s2', lowerdir: ['/x'] }]), []);
  assert.equal(
    liveLayerConflicts({ ...flat, upperdir: '/l9' }, [{ mountPoint: '/o', lowerdir: ['/l9'] }]),
    ['/l9 is in use by the overlay mounted on /o'],
  );
});

test('a cycle is an error that lists it', () => {
  const a = mk('/a', ['/b']);
  const b = mk('/b', ['/c']);
  const c = mk('/c', ['/a/sub']);
  throwsWith(
    () => mountOrder([a, b, c]),
    'STRATA_ERR_OVERLAY_CYCLE',
    'overlay mounts stack on each other in a cycle: /a -> /b -> /c -> /a',
  );
});

test.run();
