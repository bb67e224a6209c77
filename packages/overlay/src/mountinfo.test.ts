import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeOctalEscapes, overlayLayers, parseMountInfo, topMountAt } from './mountinfo.js';
import {
  escapeDirPath,
  escapeLowerdirPath,
  lowerdirOption,
  splitLowerdirOption,
  unescapeDirOption,
} from './option-escape.js';

const test = suite('mountinfo and option escaping');

const V = '/tmp/v';

test('escapes paths as the kernel expects in -o (spec §6.1)', () => {
  assert.is(escapeLowerdirPath(`${V}/c:olon`), `${V}/c\\:olon`);
  assert.is(escapeLowerdirPath(`${V}/co,mma`), `${V}/co\\,mma`);
  assert.is(escapeLowerdirPath(`${V}/b\\s`), `${V}/b\\\\s`);
  assert.is(escapeLowerdirPath(`${V}/sp ace`), `${V}/sp ace`);
  assert.is(escapeDirPath(`${V}/u,8`), `${V}/u\\,8`);
  assert.is(escapeDirPath(`${V}/u:9`), `${V}/u:9`);
  assert.is(lowerdirOption(['/a:b', '/c,d', '/e']), '/a\\:b:/c\\,d:/e');
  assert.equal(splitLowerdirOption('/a\\:b:/c\\,d:/e'), {
    layers: ['/a:b', '/c,d', '/e'],
    dataLayers: [],
  });
  assert.equal(splitLowerdirOption('/l1:/l2::/d1::/d2'), {
    layers: ['/l1', '/l2'],
    dataLayers: ['/d1', '/d2'],
  });
  assert.is(unescapeDirOption('/u\\,8\\\\x'), '/u,8\\x');
  for (const p of ['/x:y,z\\w', '/plain', '/a b\tc']) {
    assert.equal(splitLowerdirOption(lowerdirOption([p, '/q'])).layers, [p, '/q']);
  }
});

test('decodes octal escapes', () => {
  assert.is(decodeOctalEscapes('/mer\\040ged\\011t\\012n\\134b\\054c'), '/mer ged\tt\nn\\b,c');
  assert.is(decodeOctalEscapes('/u\\134\\0548'), '/u\\,8');
});

// Lines observed in spec/local-overlay.md §6.3 (with <V> = /tmp/v).
const LINES = `42 27 0:39 / ${V} rw,relatime - tmpfs tmpfs rw
45 42 0:40 / ${V}/merged rw,relatime - overlay overlay rw,lowerdir=${V}/lower,upperdir=${V}/upper,workdir=${V}/work,uuid=on
49 42 0:42 / ${V}/m2 rw,relatime - overlay overlay ro,lowerdir=${V}/l1:${V}/l2:${V}/l3,redirect_dir=on
52 42 0:45 / ${V}/mer\\040ged rw,relatime - overlay overlay rw,lowerdir=${V}/low\\040er,upperdir=${V}/up\\040per,workdir=${V}/wo\\040rk,uuid=on
60 42 0:46 / ${V}/m6 rw,relatime - overlay overlay rw,lowerdir=${V}/c\\134:olon,upperdir=${V}/u6,workdir=${V}/w6,uuid=on
61 42 0:47 / ${V}/m7 rw,relatime - overlay overlay rw,lowerdir=${V}/co\\134\\054mma,upperdir=${V}/u7,workdir=${V}/w7,uuid=on
62 42 0:48 / ${V}/m8 rw,relatime - overlay overlay rw,lowerdir=${V}/l1,upperdir=${V}/u\\134\\0548,workdir=${V}/w8,uuid=on
63 42 0:49 / ${V}/m9 rw,relatime - overlay overlay rw,lowerdir=${V}/l1,upperdir=${V}/u:9,workdir=${V}/w9,uuid=on
64 42 0:50 / ${V}/m10 rw,relatime - overlay overlay rw,lowerdir=${V}/b\\134\\134s,upperdir=${V}/u10,workdir=${V}/w10,uuid=on
65 42 0:51 / ${V}/m12 rw,relatime - overlay overlay rw,lowerdir=${V}/t\\011ab,upperdir=${V}/u12,workdir=${V}/w12,uuid=on
78 42 0:61 / ${V}/n1 rw,relatime - overlay none rw,lowerdir+=${V}/s\\040p,lowerdir+=${V}/d:c,lowerdir+=${V}/x\\054y,upperdir=${V}/nu1,workdir=${V}/nw1,uuid=on
79 42 0:62 / ${V}/n4 rw,relatime - overlay overlay ro,lowerdir=${V}/l1:${V}/l2::${V}/l3,redirect_dir=on
80 45 0:63 / ${V}/merged rw,relatime shared:5 master:2 - tmpfs other rw
`;

test('parses the observed mountinfo lines and decodes overlay layers', () => {
  const mounts = parseMountInfo(LINES);
  assert.is(mounts.length, 13);
  const first = mounts[1]!;
  assert.equal(
    { ...first, superOptions: [...first.superOptions] },
    {
      id: 45,
      parentId: 42,
      device: '0:40',
      root: '/',
      mountPoint: `${V}/merged`,
      mountOptions: 'rw,relatime',
      fsType: 'overlay',
      source: 'overlay',
      superOptions: [
        'rw',
        `lowerdir=${V}/lower`,
        `upperdir=${V}/upper`,
        `workdir=${V}/work`,
        'uuid=on',
      ],
    },
  );
  const at = (p: string) =>
    overlayLayers(mounts.find((m) => m.mountPoint === `${V}/${p}`)!.superOptions);
  assert.equal(at('merged'), {
    lowerdir: [`${V}/lower`],
    dataLayers: [],
    upperdir: `${V}/upper`,
    workdir: `${V}/work`,
    readOnly: false,
  });
  assert.equal(at('m2'), {
    lowerdir: [`${V}/l1`, `${V}/l2`, `${V}/l3`],
    dataLayers: [],
    readOnly: true,
  });
  assert.is(mounts[3]!.mountPoint, `${V}/mer ged`);
  assert.equal(at('mer ged').lowerdir, [`${V}/low er`]);
  assert.is(at('mer ged').upperdir, `${V}/up per`);
  assert.equal(at('m6').lowerdir, [`${V}/c:olon`]);
  assert.equal(at('m7').lowerdir, [`${V}/co,mma`]);
  assert.is(at('m8').upperdir, `${V}/u,8`);
  assert.is(at('m9').upperdir, `${V}/u:9`);
  assert.equal(at('m10').lowerdir, [`${V}/b\\s`]);
  assert.equal(at('m12').lowerdir, [`${V}/t\tab`]);
  assert.equal(at('n1').lowerdir, [`${V}/s p`, `${V}/d:c`, `${V}/x,y`]);
  assert.equal(at('n4').dataLayers, [`${V}/l3`]);
  // Optional fields before the '-' are skipped; the last mount on a point is the visible one.
  assert.is(topMountAt(mounts, `${V}/merged`)!.source, 'other');
  assert.is(topMountAt(mounts, `${V}/nowhere`), undefined);
});

test.run();
