import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMountInfo } from './mountinfo.js';
import {
  checkStoreMount,
  flattenStoreLayers,
  overlayDepth,
  type StoreLevel,
  storeMountArgv,
  storeMountCommand,
} from './store-mount.js';

const test = suite('overlay store mounts: flatten and the mount check (spec §3.2, §7.3)');

const VOL = '/tmp/vol';
const A = `${VOL}/store-a/nix/store`;
const UP = `${VOL}/store-b`;
const MERGED = `${VOL}/merged-store/nix/store`;
const base: StoreLevel = { kind: 'base', real: A };

/** A mountinfo line for an overlay with `options` (already kernel-escaped) on `point`. */
function line(id: number, point: string, options: string, source = 'overlay', fsType = 'overlay') {
  return `${id} 42 0:${id} / ${point} rw,relatime - ${fsType} ${source} rw,${options}`;
}

const STORE_LINE = line(123, MERGED, `lowerdir=${A},upperdir=${UP},workdir=${VOL}/workdir,uuid=on`);

test('flatten: upper layers top-most first, then the base store dir', () => {
  const l0: StoreLevel = { kind: 'base', real: '/mnt/stack/l0/nix/store' };
  const s1: StoreLevel = {
    kind: 'overlay',
    real: '/mnt/stack/s1/nix/store',
    upperLayer: '/mnt/stack/s1-upper',
    lower: l0,
  };
  const s2: StoreLevel = {
    kind: 'overlay',
    real: '/mnt/stack/s2/nix/store',
    upperLayer: '/mnt/stack/s2-upper',
    lower: s1,
  };
  assert.equal(flattenStoreLayers(l0), ['/mnt/stack/l0/nix/store']);
  assert.equal(flattenStoreLayers(s2), [
    '/mnt/stack/s2-upper',
    '/mnt/stack/s1-upper',
    '/mnt/stack/l0/nix/store',
  ]);
  assert.is(overlayDepth(s2), 2);
  assert.is(overlayDepth(l0), 0);
  // §7.4: the flat fourth store's mount command.
  assert.equal(
    storeMountArgv(
      { real: '/mnt/stack/s3/nix/store', upperLayer: '/mnt/stack/s3-upper', lower: s2 },
      '/mnt/stack/s3-work',
      true,
    ),
    [
      'mount',
      '-t',
      'overlay',
      'overlay',
      '-o',
      'lowerdir=/mnt/stack/s2-upper:/mnt/stack/s1-upper:/mnt/stack/l0/nix/store,upperdir=/mnt/stack/s3-upper,workdir=/mnt/stack/s3-work',
      '/mnt/stack/s3/nix/store',
    ],
  );
});

test('the §3.2 check vectors: one pass, three failures', () => {
  const mounts = parseMountInfo(STORE_LINE);
  const ok = checkStoreMount(mounts, { real: MERGED, upperLayer: UP, lower: base });
  assert.ok(ok.ok);
  assert.is(ok.ok && ok.layout, 'nested');
  const bad = '/tmp/test-root/bad_test';
  const noLine = checkStoreMount(mounts, { real: `${bad}/nix/store`, upperLayer: UP, lower: base });
  assert.equal(noLine, { ok: false, reason: `nothing is mounted on ${bad}/nix/store` });
  const lower = checkStoreMount(mounts, {
    real: MERGED,
    upperLayer: UP,
    lower: { kind: 'base', real: `${bad}/nix/store` },
  });
  assert.not.ok(lower.ok);
  assert.is(!lower.ok && lower.reason, `lowerdir is ["${A}"], expected ["${bad}/nix/store"]`);
  const upper = checkStoreMount(mounts, { real: MERGED, upperLayer: bad, lower: base });
  assert.is(!upper.ok && upper.reason, `upperdir is "${UP}", expected "${bad}"`);
});

test('accepts what Nix refuses: spaces, another source name, new-API layers', () => {
  const spaced = parseMountInfo(
    line(
      52,
      `${VOL}/mer\\040ged`,
      `lowerdir=${VOL}/low\\040er,upperdir=${VOL}/up\\040per,workdir=${VOL}/wo\\040rk,uuid=on`,
    ),
  );
  assert.ok(
    checkStoreMount(spaced, {
      real: `${VOL}/mer ged`,
      upperLayer: `${VOL}/up per`,
      lower: { kind: 'base', real: `${VOL}/low er` },
    }).ok,
  );
  const named = parseMountInfo(
    line(53, MERGED, `lowerdir=${A},upperdir=${UP},workdir=/w`, 'nixstore-overlay'),
  );
  assert.ok(checkStoreMount(named, { real: MERGED, upperLayer: UP, lower: base }).ok);
  const newApi = parseMountInfo(
    line(78, MERGED, `lowerdir+=${A},upperdir=${UP},workdir=/w`, 'none'),
  );
  assert.ok(checkStoreMount(newApi, { real: MERGED, upperLayer: UP, lower: base }).ok);
  const colon = parseMountInfo(
    line(79, MERGED, `lowerdir=${VOL}/c\\134:olon,upperdir=${UP},workdir=/w`),
  );
  assert.ok(
    checkStoreMount(colon, {
      real: MERGED,
      upperLayer: UP,
      lower: { kind: 'base', real: `${VOL}/c:olon` },
    }).ok,
  );
});

test('refuses wrong mounts as Nix does: verbatim slashes, relative paths, multi-lower, data layers', () => {
  const expect = { real: MERGED, upperLayer: UP, lower: base };
  for (const options of [
    `lowerdir=${A}/,upperdir=${UP},workdir=/w`,
    `lowerdir=${A},upperdir=${VOL}//store-b/,workdir=/w`,
    `lowerdir=store-a/nix/store,upperdir=${UP},workdir=/w`,
    `lowerdir=${A}:/other,upperdir=${UP},workdir=/w`,
    `lowerdir=${A},workdir=/w`,
  ]) {
    assert.not.ok(checkStoreMount(parseMountInfo(line(9, MERGED, options)), expect).ok, options);
  }
  const tmpfs = parseMountInfo(line(10, MERGED, 'size=1k', 'tmpfs', 'tmpfs'));
  assert.equal(checkStoreMount(tmpfs, expect), {
    ok: false,
    reason: `${MERGED} is a tmpfs mount, not overlay`,
    entry: tmpfs[0],
  });
});

test('the last mount on the mount point wins (SC-14)', () => {
  const expect = { real: MERGED, upperLayer: UP, lower: base };
  const stacked = parseMountInfo(
    [
      STORE_LINE,
      line(124, MERGED, `lowerdir=${A},upperdir=${VOL}/other,workdir=${VOL}/otherwork`),
    ].join('\n'),
  );
  assert.not.ok(checkStoreMount(stacked, expect).ok);
  const other = line(124, MERGED, `lowerdir=${A},upperdir=${VOL}/other,workdir=/w`);
  assert.ok(checkStoreMount(parseMountInfo([other, STORE_LINE].join('\n')), expect).ok);
});

test('flat layout (§7.4, level 3): Strata accepts the decoded layer list = flatten(lower)', () => {
  const l0: StoreLevel = { kind: 'base', real: '/mnt/stack/l0/nix/store' };
  const s1: StoreLevel = {
    kind: 'overlay',
    real: '/mnt/stack/s1/nix/store',
    upperLayer: '/mnt/stack/s1-upper',
    lower: l0,
  };
  const s2: StoreLevel = {
    kind: 'overlay',
    real: '/mnt/stack/s2/nix/store',
    upperLayer: '/mnt/stack/s2-upper',
    lower: s1,
  };
  const mounts = parseMountInfo(
    line(
      130,
      '/mnt/stack/s3/nix/store',
      'lowerdir=/mnt/stack/s2-upper:/mnt/stack/s1-upper:/mnt/stack/l0/nix/store,upperdir=/mnt/stack/s3-upper,workdir=/mnt/stack/s3-work,uuid=on',
    ),
  );
  const r = checkStoreMount(mounts, {
    real: '/mnt/stack/s3/nix/store',
    upperLayer: '/mnt/stack/s3-upper',
    lower: s2,
  });
  assert.is(r.ok && r.layout, 'flat');
  // The nested mount of S2 over S1 (§7.4) passes the nested rule.
  const nested = parseMountInfo(
    line(
      131,
      '/mnt/stack/s2/nix/store',
      'lowerdir=/mnt/stack/s1/nix/store,upperdir=/mnt/stack/s2-upper,workdir=/mnt/stack/s2-work',
    ),
  );
  const n = checkStoreMount(nested, {
    real: '/mnt/stack/s2/nix/store',
    upperLayer: '/mnt/stack/s2-upper',
    lower: s1,
  });
  assert.is(n.ok && n.layout, 'nested');
  // A partial flat list is neither.
  const partial = parseMountInfo(
    line(
      132,
      '/mnt/stack/s3/nix/store',
      'lowerdir=/mnt/stack/s2-upper:/mnt/stack/l0/nix/store,upperdir=/mnt/stack/s3-upper,workdir=/w',
    ),
  );
  const p = checkStoreMount(partial, {
    real: '/mnt/stack/s3/nix/store',
    upperLayer: '/mnt/stack/s3-upper',
    lower: s2,
  });
  assert.is(
    !p.ok && p.reason,
    'lowerdir is ["/mnt/stack/s2-upper","/mnt/stack/l0/nix/store"], expected ["/mnt/stack/s2/nix/store"] (nested) or ["/mnt/stack/s2-upper","/mnt/stack/s1-upper","/mnt/stack/l0/nix/store"] (flat)',
  );
});

test('the suggested mount command escapes what the kernel needs escaped', () => {
  assert.is(
    storeMountCommand(
      { real: `${VOL}/m`, upperLayer: `${VOL}/u,p`, lower: { kind: 'base', real: `${VOL}/l:o` } },
      `${VOL}/w`,
    ),
    `mount -t overlay overlay -o 'lowerdir=${VOL}/l\\:o,upperdir=${VOL}/u\\,p,workdir=${VOL}/w' ${VOL}/m`,
  );
});

test.run();
