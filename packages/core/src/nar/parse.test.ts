import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import type { NarEvent } from './events.js';
import { NarParser, parseNar } from './parse.js';
import { chunked, collectBytes, type NarToken, narTokens } from './testing.js';
import { type NarTree, narEventsOfTree } from './tree.js';
import { encodeNar, writeNar } from './write.js';

const test = suite('nar parse');

const M = 'nix-archive-1';
const at = (...tokens: NarToken[]) => narTokens(...tokens).length;

async function events(input: Uint8Array | Uint8Array[]): Promise<NarEvent[]> {
  const out: NarEvent[] = [];
  for await (const e of parseNar(Array.isArray(input) ? input : [input])) {
    out.push(e.type === 'contents' ? { type: 'contents', data: e.data.slice() } : e);
  }
  return out;
}

/** Parses `bytes` whole, byte by byte and in 7-byte chunks; each must fail the same way. */
async function rejects(bytes: Uint8Array, code: string, nixText: string, offset: number) {
  for (const input of [[bytes], chunked(bytes, 1), chunked(bytes, 7)]) {
    try {
      await events(input);
    } catch (e) {
      assert.ok(isStrataError(e), String(e));
      assert.is(e.code, code);
      assert.is(e.message, `${nixText} (at byte ${offset})`);
      assert.is(e.offset, offset);
      continue;
    }
    assert.unreachable(`accepted; expected: ${nixText}`);
  }
}

const SMALL: NarTree = {
  type: 'directory',
  entries: {
    f: { type: 'regular', contents: 'a' },
    l: { type: 'symlink', target: 'f' },
    x: { type: 'regular', contents: '', executable: true },
  },
};

// --- valid input ----------------------------------------------------------------------------

test('small/ parses to its events, with contents offsets, at every split position', async () => {
  const nar = encodeNar(narEventsOfTree(SMALL));
  const expected = await events(nar);
  assert.equal(
    expected.map((e) => e.type),
    [
      'directory',
      'entry',
      'regular',
      'contents',
      'regular-end',
      'entry',
      'symlink',
      'entry',
      'regular',
      'regular-end',
      'directory-end',
    ],
  );
  assert.equal(expected[2], { type: 'regular', executable: false, size: 1, narOffset: 232 });
  assert.equal(expected[8], { type: 'regular', executable: true, size: 0, narOffset: 648 });
  for (let i = 0; i <= nar.length; i++) {
    const got = await events([nar.subarray(0, i), nar.subarray(i)]);
    // contents may arrive split: join adjacent contents events before comparing
    const joined: NarEvent[] = [];
    for (const e of got) {
      const last = joined[joined.length - 1];
      if (e.type === 'contents' && last?.type === 'contents') {
        joined[joined.length - 1] = {
          type: 'contents',
          data: new Uint8Array([...last.data, ...e.data]),
        };
      } else if (!(e.type === 'contents' && e.data.length === 0)) {
        joined.push(e);
      }
    }
    assert.equal(joined, expected, `split at ${i}`);
  }
});

test('valid edge cases: empty directory, empty file, names differing in case, any bytes', async () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const tree: NarTree = {
    type: 'directory',
    entries: {
      A: { type: 'regular', contents: all },
      a: { type: 'regular', contents: '' },
      e: { type: 'directory', entries: {} },
      s: { type: 'symlink', target: '../../x y\n\u00e9' },
    },
  };
  const nar = encodeNar(narEventsOfTree(tree));
  const got = (await events(nar)).map((e) =>
    e.type === 'regular' ? { type: e.type, executable: e.executable, size: e.size } : e,
  );
  assert.equal(got, [...narEventsOfTree(tree)]);
  assert.equal(await collectBytes(writeNar(parseNar([nar]))), nar);
});

test('parse → write gives the same bytes', async () => {
  const nar = encodeNar(narEventsOfTree(SMALL));
  assert.equal(await collectBytes(writeNar(parseNar(chunked(nar, 3)))), nar);
});

test('content events are views of the input, not copies', async () => {
  const nar = encodeNar(narEventsOfTree({ type: 'regular', contents: 'x'.repeat(1000) }));
  const p = new NarParser();
  const seen: NarEvent[] = [];
  p.write(nar, (e) => seen.push(e));
  p.end();
  const c = seen.find((e) => e.type === 'contents');
  assert.ok(c?.type === 'contents' && c.data.buffer === nar.buffer);
});

test('names and targets are copies: chunks may be reused once written (Buffer chunks too)', () => {
  const tree: NarTree = {
    type: 'directory',
    entries: {
      a: { type: 'directory', entries: { b: { type: 'regular', contents: 'x' } } },
      c: { type: 'symlink', target: 'a/b' },
    },
  };
  const nar = encodeNar(narEventsOfTree(tree));
  const p = new NarParser();
  const seen: NarEvent[] = [];
  // Whole tokens lie inside the chunk, which is wiped as soon as the parser has had it.
  const chunk = Buffer.from(nar);
  p.write(chunk, (e) => seen.push(e));
  chunk.fill(0);
  p.end();
  const text = (b: Uint8Array) => Buffer.from(b).toString();
  assert.equal(
    seen.flatMap((e) => (e.type === 'entry' ? [text(e.name)] : [])),
    ['a', 'b', 'c'],
  );
  const link = seen.find((e) => e.type === 'symlink');
  assert.is(link?.type === 'symlink' && text(link.target), 'a/b');
});

test('depth: 63 levels below the root are accepted', async () => {
  let tree: NarTree = { type: 'directory', entries: {} };
  for (let i = 0; i < 63; i++) tree = { type: 'directory', entries: { d: tree } };
  const nar = encodeNar(narEventsOfTree(tree));
  assert.is((await events(nar)).length, 64 * 2 + 63);
});

test('trailing data: rejected by default, handed back with trailing: stop', async () => {
  const nar = encodeNar(narEventsOfTree(SMALL));
  const withTail = new Uint8Array([...nar, 1, 2, 3]);
  await rejects(
    withTail,
    'STRATA_ERR_NAR_TRAILING_DATA',
    'bad archive: trailing data after the end of the archive',
    696,
  );
  // a zero-filled tail is data too
  await rejects(
    new Uint8Array([...nar, 0]),
    'STRATA_ERR_NAR_TRAILING_DATA',
    'bad archive: trailing data after the end of the archive',
    696,
  );
  let rest: Uint8Array | null = null;
  const got: NarEvent[] = [];
  for await (const e of parseNar([withTail], { trailing: 'stop', onRest: (r) => (rest = r) })) {
    got.push(e);
  }
  assert.is(got.length, 11);
  assert.equal(rest, new Uint8Array([1, 2, 3]));

  // a framing layer keeps reading its own iterator after the NAR
  const source = (function* () {
    yield withTail.subarray(0, 690);
    yield withTail.subarray(690, 697);
    yield new Uint8Array([9, 9]);
  })();
  let rest2: Uint8Array | null = null;
  for await (const _ of parseNar(source, { trailing: 'stop', onRest: (r) => (rest2 = r) })) {
    // drain
  }
  assert.equal(rest2, new Uint8Array([1]));
  assert.equal([...source], [new Uint8Array([9, 9])], 'the source was neither read on nor closed');

  const p = new NarParser({ trailing: 'stop' });
  assert.is(
    p.write(withTail, () => {}),
    696,
  );
  assert.ok(p.done);
  assert.is(p.offset, 696);
  assert.is(
    p.write(new Uint8Array([5]), () => {}),
    0,
  );
});

// --- the rejection table of spec §3.4, one test per row ---------------------------------------

test('§3.4: not nix-archive-1', async () => {
  const text = "bad archive: input doesn't look like a Nix archive";
  await rejects(narTokens('nix-archive-2', '('), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
  await rejects(narTokens('nix', '('), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
  await rejects(narTokens('', '('), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
  await rejects(narTokens('nix-archive-1x', '('), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
  await rejects(narTokens({ str: M, pad: [0, 0, 7] }, '('), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
});

test('§3.4: absurd length prefix of the magic (no allocation, no waiting for more input)', async () => {
  const text = "bad archive: input doesn't look like a Nix archive";
  await rejects(narTokens({ u64: 2 ** 52 }), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
  await rejects(narTokens({ raw: Array(8).fill(0xff) }), 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
  const gzip = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  await rejects(gzip, 'STRATA_ERR_NAR_BAD_MAGIC', text, 0);
});

test('§3.4: a node not starting with (', async () => {
  const text = 'bad archive: expected open tag';
  await rejects(narTokens(M, ')'), 'STRATA_ERR_NAR_EXPECTED_OPEN', text, 24);
  await rejects(narTokens(M, 'type'), 'STRATA_ERR_NAR_EXPECTED_OPEN', text, 24);
  const pre: NarToken[] = [M, '(', 'type', 'directory', 'entry'];
  await rejects(narTokens(...pre, 'name'), 'STRATA_ERR_NAR_EXPECTED_OPEN', text, at(...pre));
  const pre2: NarToken[] = [...pre, '(', 'name', 'a', 'node'];
  await rejects(narTokens(...pre2, 'type'), 'STRATA_ERR_NAR_EXPECTED_OPEN', text, at(...pre2));
});

test('§3.4: unknown type', async () => {
  const pre: NarToken[] = [M, '(', 'type'];
  await rejects(
    narTokens(...pre, 'fifo', ')'),
    'STRATA_ERR_NAR_UNKNOWN_TYPE',
    'bad archive: unknown file type fifo',
    at(...pre),
  );
  await rejects(
    narTokens(...pre, 'Regular'),
    'STRATA_ERR_NAR_UNKNOWN_TYPE',
    'bad archive: unknown file type Regular',
    at(...pre),
  );
});

test('§3.4: two type fields', async () => {
  const text = 'bad archive: multiple type fields';
  for (const pre of [
    [M, '(', 'type', 'regular'],
    [M, '(', 'type', 'regular', 'executable', ''],
    [M, '(', 'type', 'regular', 'contents', 'x'],
    [M, '(', 'type', 'symlink'],
    [M, '(', 'type', 'symlink', 'target', 'x'],
    [M, '(', 'type', 'directory'],
  ] as NarToken[][]) {
    await rejects(
      narTokens(...pre, 'type', 'regular'),
      'STRATA_ERR_NAR_DUPLICATE_TYPE',
      text,
      at(...pre),
    );
  }
});

test('§3.4: unknown field, or a field not valid for the type', async () => {
  const cases: [NarToken[], string][] = [
    [[M, '(', 'contents'], 'contents'],
    [[M, '(', 'entry'], 'entry'],
    [[M, '(', 'type', 'regular', 'target'], 'target'],
    [[M, '(', 'type', 'regular', 'entry'], 'entry'],
    [[M, '(', 'type', 'regular', 'foo'], 'foo'],
    [[M, '(', 'type', 'regular', 'contents', '', 'target'], 'target'],
    [[M, '(', 'type', 'symlink', 'contents'], 'contents'],
    [[M, '(', 'type', 'symlink', 'target', 'x', 'entry'], 'entry'],
    [[M, '(', 'type', 'directory', 'contents'], 'contents'],
    [[M, '(', 'type', 'directory', 'name'], 'name'],
    [[M, '(', 'type', 'directory', 'entry', '(', 'type'], 'type'],
    [[M, '(', 'type', 'directory', 'entry', '(', 'name', 'a', 'target'], 'target'],
    [
      [
        M,
        '(',
        'type',
        'directory',
        'entry',
        '(',
        'name',
        'a',
        'node',
        '(',
        'type',
        'directory',
        ')',
        'entry',
      ],
      'entry',
    ],
  ];
  for (const [pre, field] of cases) {
    await rejects(
      narTokens(...pre, ')'),
      'STRATA_ERR_NAR_UNKNOWN_FIELD',
      `bad archive: unknown field ${field}`,
      at(...pre.slice(0, -1)),
    );
  }
});

test('§3.4: executable with a non-empty value', async () => {
  const pre: NarToken[] = [M, '(', 'type', 'regular', 'executable'];
  const text = 'bad archive: executable marker has non-empty value';
  await rejects(
    narTokens(...pre, 'x', 'contents', '', ')'),
    'STRATA_ERR_NAR_EXECUTABLE_NOT_EMPTY',
    text,
    at(...pre),
  );
  // a huge value is refused from its length alone
  await rejects(
    narTokens(...pre, { u64: 2 ** 40 }),
    'STRATA_ERR_NAR_EXECUTABLE_NOT_EMPTY',
    text,
    at(...pre),
  );
});

test('§3.4: invalid entry names', async () => {
  const pre: NarToken[] = [M, '(', 'type', 'directory', 'entry', '(', 'name'];
  for (const name of ['', '.', '..', '/', 'a/b', '/a', 'a/', '\0', 'a\0b']) {
    await rejects(
      narTokens(...pre, name, 'node', '(', 'type', 'regular', 'contents', '', ')', ')', ')'),
      'STRATA_ERR_NAR_INVALID_NAME',
      `NAR contains invalid file name '${name}'`,
      at(...pre),
    );
  }
  // a later invalid name, after a valid one
  const pre2: NarToken[] = [
    ...pre,
    'a',
    'node',
    '(',
    'type',
    'directory',
    ')',
    ')',
    'entry',
    '(',
    'name',
  ];
  await rejects(
    narTokens(...pre2, '..'),
    'STRATA_ERR_NAR_INVALID_NAME',
    "NAR contains invalid file name '..'",
    at(...pre2),
  );
});

test('§3.4: non-zero padding (in a tag, a name, a target, contents)', async () => {
  const text = 'non-zero padding';
  await rejects(
    narTokens(M, { str: '(', pad: [0, 0, 0, 0, 0, 0, 1] }),
    'STRATA_ERR_NAR_NON_ZERO_PADDING',
    text,
    24 + 8 + 1 + 6,
  );
  const d: NarToken[] = [M, '(', 'type', 'directory', 'entry', '(', 'name'];
  await rejects(
    narTokens(...d, { str: 'abc', pad: [0, 9, 0, 0, 0] }),
    'STRATA_ERR_NAR_NON_ZERO_PADDING',
    text,
    at(...d) + 8 + 3 + 1,
  );
  const s: NarToken[] = [M, '(', 'type', 'symlink', 'target'];
  await rejects(
    narTokens(...s, { str: 'tgt', pad: [1, 0, 0, 0, 0] }),
    'STRATA_ERR_NAR_NON_ZERO_PADDING',
    text,
    at(...s) + 8 + 3,
  );
  const r: NarToken[] = [M, '(', 'type', 'regular', 'contents'];
  await rejects(
    narTokens(...r, { str: 'hello', pad: [0, 0, 0x80] }, ')'),
    'STRATA_ERR_NAR_NON_ZERO_PADDING',
    text,
    at(...r) + 8 + 5 + 2,
  );
});

test('§3.4: premature end of input, everywhere', async () => {
  const nar = encodeNar(narEventsOfTree(SMALL));
  for (let n = 0; n < nar.length; n++) {
    await rejects(nar.subarray(0, n), 'STRATA_ERR_NAR_UNEXPECTED_EOF', 'unexpected end-of-file', n);
  }
  // a huge announced file: streamed, so it fails at the end of the input, not on allocation
  const pre: NarToken[] = [M, '(', 'type', 'regular', 'contents'];
  const huge = narTokens(...pre, { u64: 2 ** 52 }, { raw: [1, 2, 3] });
  await rejects(huge, 'STRATA_ERR_NAR_UNEXPECTED_EOF', 'unexpected end-of-file', huge.length);
});

test('§3.4: entry node before name', async () => {
  const pre: NarToken[] = [M, '(', 'type', 'directory', 'entry', '('];
  await rejects(
    narTokens(...pre, 'node', '(', 'type', 'regular', 'contents', '', ')', ')', ')'),
    'STRATA_ERR_NAR_MISSING_NAME',
    'bad archive: entry name missing',
    at(...pre),
  );
});

test('§3.4: unsorted or duplicate entries', async () => {
  const entry = (n: string): NarToken[] => [
    'entry',
    '(',
    'name',
    n,
    'node',
    '(',
    'type',
    'regular',
    'contents',
    '',
    ')',
    ')',
  ];
  const pre: NarToken[] = [M, '(', 'type', 'directory', ...entry('b'), 'entry', '(', 'name'];
  for (const second of ['a', 'b', 'B', '']) {
    if (second === '') continue; // invalid name: its own row
    await rejects(
      narTokens(...pre, second, 'node'),
      'STRATA_ERR_NAR_NOT_SORTED',
      'NAR directory is not sorted',
      at(...pre),
    );
  }
  // byte order: 'é' (c3 a9) sorts after 'z'; '\xff' after everything
  const ok = narTokens(
    M,
    '(',
    'type',
    'directory',
    ...entry('z'),
    ...entry('\u00e9'),
    ...entry('\u00e9a'),
    ')',
  );
  assert.is((await events(ok)).length, 11);
  // sorting is per directory: a nested directory starts afresh
  const nested = narTokens(
    M,
    '(',
    'type',
    'directory',
    'entry',
    '(',
    'name',
    'z',
    'node',
    '(',
    'type',
    'directory',
    ...entry('a'),
    ')',
    ')',
    ')',
  );
  assert.is((await events(nested)).length, 8);
});

test('§3.4: executable after contents, regular without contents, two names (master: expected tag)', async () => {
  const r: NarToken[] = [M, '(', 'type', 'regular', 'contents', 'x'];
  await rejects(
    narTokens(...r, 'executable', '', ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag ')', got 'executable'",
    at(...r),
  );
  await rejects(
    narTokens(...r, 'contents', 'y', ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag ')', got 'contents'",
    at(...r),
  );
  const r2: NarToken[] = [M, '(', 'type', 'regular'];
  await rejects(
    narTokens(...r2, ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'contents', got ')'",
    at(...r2),
  );
  const r3: NarToken[] = [...r2, 'executable', ''];
  await rejects(
    narTokens(...r3, ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'contents', got ')'",
    at(...r3),
  );
  await rejects(
    narTokens(...r3, 'executable', ''),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'contents', got 'executable'",
    at(...r3),
  );
  const e: NarToken[] = [M, '(', 'type', 'directory', 'entry', '(', 'name', 'a'];
  await rejects(
    narTokens(...e, 'name', 'b'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'node', got 'name'",
    at(...e),
  );
  await rejects(
    narTokens(...e, ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'node', got ')'",
    at(...e),
  );
  const e2: NarToken[] = [M, '(', 'type', 'directory', 'entry', '('];
  await rejects(
    narTokens(...e2, ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'name', got ')'",
    at(...e2),
  );
  const e3: NarToken[] = [...e, 'node', '(', 'type', 'directory', ')'];
  await rejects(
    narTokens(...e3, 'name', 'b'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag ')', got 'name'",
    at(...e3),
  );
  await rejects(
    narTokens(...e3, 'node'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag ')', got 'node'",
    at(...e3),
  );
  const n: NarToken[] = [M, '('];
  await rejects(
    narTokens(...n, ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'type', got ')'",
    at(...n),
  );
  const s: NarToken[] = [M, '(', 'type', 'symlink'];
  await rejects(
    narTokens(...s, ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag 'target', got ')'",
    at(...s),
  );
  const s2: NarToken[] = [...s, 'target', 'a'];
  await rejects(
    narTokens(...s2, 'target', 'b', ')'),
    'STRATA_ERR_NAR_EXPECTED_TAG',
    "bad archive: expected tag ')', got 'target'",
    at(...s2),
  );
});

test('§3.4: symlink with empty target or NUL in target', async () => {
  const pre: NarToken[] = [M, '(', 'type', 'symlink', 'target'];
  const text = 'bad archive: NAR contains invalid symlink target';
  await rejects(narTokens(...pre, '', ')'), 'STRATA_ERR_NAR_BAD_SYMLINK_TARGET', text, at(...pre));
  await rejects(
    narTokens(...pre, 'a\0b', ')'),
    'STRATA_ERR_NAR_BAD_SYMLINK_TARGET',
    text,
    at(...pre),
  );
});

test('§3.4: tag longer than 32 bytes, name longer than 255, target longer than 4095', async () => {
  const text = 'string is too long';
  await rejects(narTokens(M, '('.repeat(33)), 'STRATA_ERR_NAR_STRING_TOO_LONG', text, 24);
  await rejects(
    narTokens(M, '(', 'type', 'x'.repeat(33)),
    'STRATA_ERR_NAR_STRING_TOO_LONG',
    text,
    56,
  );
  await rejects(
    narTokens(M, '(', 'type', 'x'.repeat(32)),
    'STRATA_ERR_NAR_UNKNOWN_TYPE',
    `bad archive: unknown file type ${'x'.repeat(32)}`,
    56,
  );
  await rejects(narTokens(M, { u64: 2 ** 62 }), 'STRATA_ERR_NAR_STRING_TOO_LONG', text, 24);
  const d: NarToken[] = [M, '(', 'type', 'directory', 'entry', '(', 'name'];
  await rejects(narTokens(...d, 'n'.repeat(256)), 'STRATA_ERR_NAR_STRING_TOO_LONG', text, at(...d));
  await rejects(
    narTokens(...d, { u64: 2 ** 40 }),
    'STRATA_ERR_NAR_STRING_TOO_LONG',
    text,
    at(...d),
  );
  const ok255 = narTokens(...d, 'n'.repeat(255), 'node', '(', 'type', 'directory', ')', ')', ')');
  assert.is((await events(ok255)).length, 5);
  const s: NarToken[] = [M, '(', 'type', 'symlink', 'target'];
  await rejects(
    narTokens(...s, 't'.repeat(4096), ')'),
    'STRATA_ERR_NAR_STRING_TOO_LONG',
    text,
    at(...s),
  );
  assert.is((await events(narTokens(...s, 't'.repeat(4095), ')'))).length, 1);
  // a contents length beyond 2^53 cannot be streamed exactly
  const r: NarToken[] = [M, '(', 'type', 'regular', 'contents'];
  await rejects(
    narTokens(...r, { raw: [0, 0, 0, 0, 0, 0, 0x20, 0] }),
    'STRATA_ERR_NAR_STRING_TOO_LONG',
    text,
    at(...r),
  );
});

test('§3.4: nesting deeper than 64', async () => {
  let tree: NarTree = { type: 'directory', entries: {} };
  for (let i = 0; i < 64; i++) tree = { type: 'directory', entries: { d: tree } };
  const nar = encodeNar(narEventsOfTree(tree));
  // root: magic (24) + "( type directory" (56); each level: "entry ( name d node" (80) + "( type directory" (56)
  const offset = 24 + 56 + 63 * (80 + 56) + 80;
  await rejects(
    nar,
    'STRATA_ERR_NAR_TOO_DEEP',
    'NAR directory nesting exceeds maximum depth of 64',
    offset,
  );
  const regularAt64: NarTree[] = [
    { type: 'regular', contents: '' },
    { type: 'symlink', target: 'x' },
  ];
  for (let leaf of regularAt64) {
    for (let i = 0; i < 64; i++) leaf = { type: 'directory', entries: { d: leaf } };
    await rejects(
      encodeNar(narEventsOfTree(leaf)),
      'STRATA_ERR_NAR_TOO_DEEP',
      'NAR directory nesting exceeds maximum depth of 64',
      offset,
    );
  }
});

test.run();
