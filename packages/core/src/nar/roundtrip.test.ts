/** Property tests: random trees survive write → parse → write byte for byte, however chunked. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { NarEvent } from './events.js';
import { findInListing, listNar } from './listing.js';
import { parseNar } from './parse.js';
import { collectBytes, narTreeOfDiskTree, randomDiskTree, seededRandom } from './testing.js';
import { type NarTree, narEventsOfTree } from './tree.js';
import { encodeNar, writeNar } from './write.js';

const test = suite('nar round trip');

function randomChunks(bytes: Uint8Array, rand: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = rand() < 0.3 ? 1 + Math.floor(rand() * 16) : 1 + Math.floor(rand() * 5000);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

test('encode → parse (random chunks) → write is the identity on bytes', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rand = seededRandom(seed);
    const tree = narTreeOfDiskTree(
      randomDiskTree(rand, { depth: 4, bigFileBytes: seed % 10 === 0 ? 2 << 20 : 0 }),
    );
    const nar = encodeNar(narEventsOfTree(tree));
    assert.is(nar.length % 8, 0);
    const again = await collectBytes(writeNar(parseNar(randomChunks(nar, rand))));
    assert.ok(Buffer.from(again).equals(Buffer.from(nar)), `seed ${seed}`);
  }
});

test('parsed events describe the tree that was written', async () => {
  for (let seed = 50; seed < 60; seed++) {
    const rand = seededRandom(seed);
    const tree = narTreeOfDiskTree(randomDiskTree(rand));
    const nar = encodeNar(narEventsOfTree(tree));
    const expected = [...narEventsOfTree(tree)];
    const got: NarEvent[] = [];
    for await (const e of parseNar([nar])) {
      if (e.type === 'contents') got.push({ type: 'contents', data: e.data.slice() });
      else if (e.type === 'regular')
        got.push({ type: 'regular', executable: e.executable, size: e.size });
      else got.push(e);
    }
    assert.equal(got, expected, `seed ${seed}`);
  }
});

test('every regular file of a listing is found at its narOffset', async () => {
  for (let seed = 70; seed < 80; seed++) {
    const tree = narTreeOfDiskTree(randomDiskTree(seededRandom(seed)));
    const nar = encodeNar(narEventsOfTree(tree));
    const root = await listNar([nar]);
    const check = (t: NarTree, path: Uint8Array) => {
      const node = findInListing(root, path);
      assert.ok(node !== undefined && node.type === t.type);
      if (t.type === 'regular' && node?.type === 'regular') {
        const data = typeof t.contents === 'string' ? Buffer.from(t.contents) : t.contents;
        assert.equal(
          nar.subarray(node.narOffset, node.narOffset + node.size),
          new Uint8Array(data),
        );
        assert.is(node.executable, t.executable === true);
      }
      if (t.type === 'directory') {
        for (const [name, child] of t.entries as Iterable<[Uint8Array, NarTree]>) {
          check(child, new Uint8Array([...path, 0x2f, ...name]));
        }
      }
    };
    check(tree, new Uint8Array(0));
  }
});

test.run();
