import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import type { NarEvent } from './events.js';
import { utf8 } from './format.js';
import { collectBytes, narTokens } from './testing.js';
import { type NarTree, narEventsOfTree } from './tree.js';
import { encodeNar, writeNar } from './write.js';

const test = suite('nar write');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// spec §3.3, `xxd` of `nix-store --dump hello.txt`
const HELLO_XXD = `
0d00 0000 0000 0000 6e69 782d 6172 6368
6976 652d 3100 0000 0100 0000 0000 0000
2800 0000 0000 0000 0400 0000 0000 0000
7479 7065 0000 0000 0700 0000 0000 0000
7265 6775 6c61 7200 0800 0000 0000 0000
636f 6e74 656e 7473 0e00 0000 0000 0000
4865 6c6c 6f2c 2077 6f72 6c64 210a 0000
0100 0000 0000 0000 2900 0000 0000 0000`;

const SMALL: NarTree = {
  type: 'directory',
  entries: {
    x: { type: 'regular', contents: '', executable: true },
    l: { type: 'symlink', target: 'f' },
    f: { type: 'regular', contents: 'a' },
  },
};

// spec §2.3.1 (V9); run.sh's contents are not in the spec: "#!/bin/sh\necho x\n" reproduces it.
const TREE: NarTree = {
  type: 'directory',
  entries: {
    'a.txt': { type: 'regular', contents: 'hi\n' },
    link: { type: 'symlink', target: 'a.txt' },
    sub: {
      type: 'directory',
      entries: { 'run.sh': { type: 'regular', contents: '#!/bin/sh\necho x\n', executable: true } },
    },
  },
};

test('V4: hello.txt is the 128 bytes of spec §3.3', () => {
  const nar = encodeNar(narEventsOfTree({ type: 'regular', contents: 'Hello, world!\n' }));
  assert.is(nar.length, 128);
  assert.is(hex(nar), HELLO_XXD.replace(/\s/g, ''));
  assert.is(sha256(nar), '5849379a8b8cbfc4131d0c0f89ad020ea270d85f161e257b7d52135b58337ece');
});

test('V8: small/ is 696 bytes with the token listing of spec §3.3', () => {
  const nar = encodeNar(narEventsOfTree(SMALL));
  assert.is(nar.length, 696);
  assert.is(sha256(nar), '623b5fe0e3362cc3af6c86e997f7f5f71fb22f7c28fe631e07ed4840b74566f7');
  // offset: string (the spec's listing, column by column)
  const listing: [number, string][] = [
    [0, 'nix-archive-1'],
    [24, '('],
    [40, 'type'],
    [56, 'directory'],
    [80, 'entry'],
    [96, '('],
    [112, 'name'],
    [128, 'f'],
    [144, 'node'],
    [160, '('],
    [176, 'type'],
    [192, 'regular'],
    [208, 'contents'],
    [224, 'a'],
    [240, ')'],
    [256, ')'],
    [272, 'entry'],
    [288, '('],
    [304, 'name'],
    [320, 'l'],
    [336, 'node'],
    [352, '('],
    [368, 'type'],
    [384, 'symlink'],
    [400, 'target'],
    [416, 'f'],
    [432, ')'],
    [448, ')'],
    [464, 'entry'],
    [480, '('],
    [496, 'name'],
    [512, 'x'],
    [528, 'node'],
    [544, '('],
    [560, 'type'],
    [576, 'regular'],
    [592, 'executable'],
    [616, ''],
    [624, 'contents'],
    [640, ''],
    [648, ')'],
    [664, ')'],
    [680, ')'],
  ];
  let expectedNext = 0;
  for (const [offset, s] of listing) {
    assert.is(offset, expectedNext, `token '${s}' starts where the previous one ends`);
    const len = Number(Buffer.from(nar).readBigUInt64LE(offset));
    assert.is(len, s.length, `length at ${offset}`);
    assert.is(Buffer.from(nar.subarray(offset + 8, offset + 8 + len)).toString(), s);
    const pad = (8 - (len % 8)) % 8;
    assert.ok(nar.subarray(offset + 8 + len, offset + 8 + len + pad).every((b) => b === 0));
    expectedNext = offset + 8 + len + pad;
  }
  assert.is(expectedNext, 696);
});

test('V9: tree/ hashes to the spec value, 888 bytes', () => {
  const nar = encodeNar(narEventsOfTree(TREE));
  assert.is(nar.length, 888);
  assert.is(sha256(nar), '16964328546650b9065913bf2b2e6c92516458877ad0208ef8aff1ea0ebdb4f3');
});

test('a bare string NAR is magic ( type regular contents s )', () => {
  const nar = encodeNar(narEventsOfTree({ type: 'regular', contents: 'abc' }));
  assert.equal(nar, narTokens('nix-archive-1', '(', 'type', 'regular', 'contents', 'abc', ')'));
});

test('empty directory, empty file, executable empty file', () => {
  assert.equal(
    encodeNar(narEventsOfTree({ type: 'directory', entries: {} })),
    narTokens('nix-archive-1', '(', 'type', 'directory', ')'),
  );
  assert.equal(
    encodeNar(narEventsOfTree({ type: 'regular', contents: '', executable: true })),
    narTokens('nix-archive-1', '(', 'type', 'regular', 'executable', '', 'contents', '', ')'),
  );
});

test('writeNar streams: big contents pass through, chunks join to encodeNar', async () => {
  const big = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 31) & 0xff);
  const events: NarEvent[] = [
    { type: 'regular', executable: false, size: big.length },
    { type: 'contents', data: big.subarray(0, 1 << 20) },
    { type: 'contents', data: big.subarray(1 << 20, (1 << 20) + 3) },
    { type: 'contents', data: big.subarray((1 << 20) + 3) },
    { type: 'regular-end' },
  ];
  const chunks: Uint8Array[] = [];
  for await (const c of writeNar(events)) chunks.push(c);
  assert.ok(chunks.includes(events[1].type === 'contents' ? events[1].data : big), 'no copy');
  const whole = await collectBytes(chunks);
  assert.equal(whole, encodeNar(narEventsOfTree({ type: 'regular', contents: big })));
  assert.is(whole.length, 24 + 16 * 4 + 8 + big.length + 3 + 16);
});

test('names are sorted byte-wise, not by locale or UTF-16', () => {
  const nar = encodeNar(
    narEventsOfTree({
      type: 'directory',
      entries: [
        ['b', { type: 'regular', contents: '' }],
        ['B', { type: 'regular', contents: '' }],
        ['\u00e9', { type: 'regular', contents: '' }], // c3 a9
        ['\u{1f600}', { type: 'regular', contents: '' }], // f0 9f 98 80
        ['\uff21', { type: 'regular', contents: '' }], // ef bc a1 (UTF-16 would sort it last)
        [new Uint8Array([0xff]), { type: 'regular', contents: '' }],
      ],
    }),
  );
  const names: string[] = [];
  const b = Buffer.from(nar);
  for (let at = 0; at < b.length; ) {
    const len = Number(b.readBigUInt64LE(at));
    const s = b.subarray(at + 8, at + 8 + len);
    at += 8 + len + ((8 - (len % 8)) % 8);
    if (s.toString() === 'name') {
      const l2 = Number(b.readBigUInt64LE(at));
      names.push(b.subarray(at + 8, at + 8 + l2).toString('hex'));
    }
  }
  assert.equal(names, ['42', '62', 'c3a9', 'efbca1', 'f09f9880', 'ff']);
});

function writerFails(events: NarEvent[], code: string, message: string) {
  try {
    encodeNar(events);
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    assert.is(e.code, code);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`writer accepted: ${message}`);
}

const reg = (size = 0): NarEvent[] => [
  { type: 'regular', executable: false, size },
  { type: 'regular-end' },
];
const dir = (...names: (string | Uint8Array)[]): NarEvent[] => [
  { type: 'directory' },
  ...names.flatMap((n): NarEvent[] => [
    { type: 'entry', name: typeof n === 'string' ? utf8(n) : n },
    ...reg(),
  ]),
  { type: 'directory-end' },
];

test('writer refuses unsorted and duplicate names', () => {
  writerFails(dir('b', 'a'), 'STRATA_ERR_NAR_NOT_SORTED', 'NAR directory is not sorted');
  writerFails(dir('a', 'a'), 'STRATA_ERR_NAR_NOT_SORTED', 'NAR directory is not sorted');
});

test('writer refuses invalid names', () => {
  for (const [name, shown] of [
    ['', ''],
    ['.', '.'],
    ['..', '..'],
    ['a/b', 'a/b'],
    ['a\0b', 'a\0b'],
  ]) {
    writerFails(
      dir(name),
      'STRATA_ERR_NAR_INVALID_NAME',
      `NAR contains invalid file name '${shown}'`,
    );
  }
  writerFails(dir('x'.repeat(256)), 'STRATA_ERR_NAR_STRING_TOO_LONG', 'string is too long');
  assert.is(encodeNar(dir('x'.repeat(255))).length > 0, true);
  assert.is(encodeNar(dir('...', '.a', 'a.')).length > 0, true);
});

test('writer refuses bad symlink targets and wrong sizes', () => {
  const sym = (t: string): NarEvent[] => [{ type: 'symlink', target: utf8(t) }];
  const badTarget = 'bad archive: NAR contains invalid symlink target';
  writerFails(sym(''), 'STRATA_ERR_NAR_BAD_SYMLINK_TARGET', badTarget);
  writerFails(sym('a\0'), 'STRATA_ERR_NAR_BAD_SYMLINK_TARGET', badTarget);
  writerFails(sym('t'.repeat(4096)), 'STRATA_ERR_NAR_STRING_TOO_LONG', 'string is too long');
  writerFails(
    [
      { type: 'regular', executable: false, size: 2 },
      { type: 'contents', data: utf8('abc') },
    ],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: contents longer than the announced size',
  );
  writerFails(
    [{ type: 'regular', executable: false, size: 2 }, { type: 'regular-end' }],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: contents shorter than the announced size',
  );
});

test('writer refuses event sequences that are not one well-nested node', () => {
  writerFails(
    [],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: the events end before the root node does',
  );
  writerFails(
    [...reg(), ...reg()],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: regular after the end',
  );
  writerFails(
    [{ type: 'directory' }, ...reg()],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: regular where none may start',
  );
  writerFails(
    [{ type: 'entry', name: utf8('a') }],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: entry outside a directory',
  );
  writerFails(
    [{ type: 'directory' }, { type: 'entry', name: utf8('a') }, { type: 'directory-end' }],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: directory-end outside a directory',
  );
  writerFails(
    [{ type: 'contents', data: utf8('a') }],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: contents outside a regular file',
  );
  writerFails(
    [{ type: 'directory' }],
    'STRATA_ERR_NAR_BAD_EVENT',
    'invalid NAR event sequence: the events end before the root node does',
  );
});

test.run();
