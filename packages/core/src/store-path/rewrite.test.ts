import { randomBytes, randomInt } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rewriter } from './rewrite.js';

const test = suite('store-path/rewrite');

/** The whole-buffer algorithm (leftmost first, non-overlapping), to compare the stream with. */
function reference(
  input: Uint8Array,
  from: string,
  to: string,
): { out: Buffer; offsets: number[] } {
  const out = Buffer.from(input);
  const f = Buffer.from(from, 'latin1');
  const offsets: number[] = [];
  for (let j = out.indexOf(f); j >= 0; j = out.indexOf(f, j + f.length)) {
    offsets.push(j);
    out.write(to, j, 'latin1');
  }
  return { out, offsets };
}

/** Streams `input` through a Rewriter in chunks of the given sizes (the last takes the rest). */
function streamed(input: Uint8Array, from: string, to: string, sizes: number[]) {
  const r = new Rewriter(from, to);
  const parts: Uint8Array[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= input.length) break;
    // A scratch copy that is clobbered right after `update`, as a reused read buffer would be.
    const chunk = Buffer.from(input.subarray(i, i + n));
    for (const p of r.update(chunk)) parts.push(Buffer.from(p));
    chunk.fill(0x21);
    i += n;
  }
  if (i < input.length) for (const p of r.update(input.subarray(i))) parts.push(Buffer.from(p));
  for (const p of r.finish()) parts.push(p);
  return { out: Buffer.concat(parts), offsets: r.offsets, position: r.position };
}

function randomSizes(total: number, max: number): number[] {
  const sizes: number[] = [];
  for (let sum = 0; sum < total; ) {
    const n = randomInt(0, max + 1);
    sizes.push(n);
    sum += n;
  }
  return sizes;
}

test('finds occurrences anywhere, including across chunk boundaries', () => {
  const from = 'hj2dr6596lyvlmpn9xdg7jd43vf1lhp8';
  const to = 'gwzwg4nysy0iy92fzadv0pwgq04asv3l';
  for (let k = 0; k < 300; k++) {
    const pieces: Buffer[] = [];
    for (let n = randomInt(0, 6); n > 0; n--) {
      pieces.push(
        randomBytes(randomInt(0, 100)),
        Buffer.from(randomInt(4) === 0 ? from.slice(0, randomInt(32)) : from, 'latin1'),
      );
    }
    pieces.push(randomBytes(randomInt(0, 50)));
    const input = Buffer.concat(pieces);
    const expected = reference(input, from, to);
    for (const max of [1, 7, 31, 32, 33, 64, 1000]) {
      const got = streamed(input, from, to, randomSizes(input.length, max));
      assert.equal(got.offsets, expected.offsets, `chunks up to ${max}`);
      assert.ok(got.out.equals(expected.out), `chunks up to ${max}`);
      assert.is(got.position, input.length);
    }
  }
});

test('adjacent and periodic occurrences: leftmost first, never overlapping', () => {
  assert.equal(streamed(Buffer.from('abab'), 'ab', 'XY', [1, 1, 1, 1]).offsets, [0, 2]);
  const a9 = Buffer.from('aaaaaaaaa');
  for (const sizes of [[9], [1, 1, 1, 1, 1, 1, 1, 1, 1], [3, 3, 3], [5, 4], [2, 7]]) {
    const got = streamed(a9, 'aaaa', 'bbbb', sizes);
    assert.equal(got.offsets, [0, 4], String(sizes));
    assert.is(got.out.toString(), 'bbbbbbbba');
  }
});

test('input shorter than the pattern, empty input, and no occurrence', () => {
  assert.equal(streamed(Buffer.from('ab'), 'abc', 'xyz', [1, 1]).out.toString(), 'ab');
  assert.equal(streamed(Buffer.alloc(0), 'abc', 'xyz', []).offsets, []);
  const plain = randomBytes(500);
  const got = streamed(plain, '\u0001\u0002\u0003\u0004\u0005', 'xxxxx', [100, 100, 300]);
  assert.ok(got.out.equals(reference(plain, '\u0001\u0002\u0003\u0004\u0005', 'xxxxx').out));
});

test('the caller’s chunk is never modified', () => {
  const chunk = Buffer.from('xxabcxx');
  const r = new Rewriter('abc', 'ABC');
  const out = Buffer.concat([...r.update(chunk), ...r.finish()]);
  assert.is(out.toString(), 'xxABCxx');
  assert.is(chunk.toString(), 'xxabcxx');
});

test('from and to must have the same non-zero length', () => {
  assert.throws(() => new Rewriter('', ''), /same non-zero length/);
  assert.throws(() => new Rewriter('ab', 'abc'), /same non-zero length/);
  new Rewriter(Uint8Array.of(1, 2), Uint8Array.of(0, 0));
});

test.run();
