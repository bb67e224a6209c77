import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { narHashOfPath, WorkerHasher } from '@strata/core/nar';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ObjectSink } from './object-sink.js';
import { pumpSource } from './pump-source.js';

const test = suite('pumpSource');

/**
 * A tree whose NAR puts the name of entry `b` at the very end of the first 1 MiB chunk and its
 * `node` tag at the start of the second: file `a` is sized so (see the layout in the test).
 */
function boundaryTree(dir: string): string {
  const src = join(dir, 'src');
  mkdirSync(src);
  // magic 24 + dir header 56 + entry a 64 + node 16 + regular header 48 + contents tag 16 +
  // size 8 = 232; then the contents, 32 closing, 64 for entry b's header and name: `node` must
  // start 8 bytes before 1 MiB, where it does not fit.
  writeFileSync(join(src, 'a'), Buffer.alloc(1_048_576 - 8 - 328, 0x61));
  writeFileSync(join(src, 'b'), '');
  return src;
}

for (const mode of ['here', 'worker later', 'worker from the start'] as const) {
  test(`a chunk boundary between an entry name and its node (hashed ${mode})`, async () => {
    await withTempDir(async (dir) => {
      const src = boundaryTree(dir);
      const target = join(dir, 'object');
      const sink = new ObjectSink(target, { externalNarHash: true, parallelFiles: true });
      const nar = await pumpSource(
        src,
        sink,
        mode === 'here'
          ? { offload: false }
          : mode === 'worker later'
            ? {}
            : { worker: new WorkerHasher('sha256') },
      );
      await sink.settle();
      const result = sink.end(nar);
      const expected = await narHashOfPath(src);
      assert.ok(result.narHash.equals(expected.hash));
      assert.is(result.narSize, expected.size);
      assert.equal(readdirSync(target).sort(), ['a', 'b']);
      assert.ok(readFileSync(join(target, 'a')).equals(readFileSync(join(src, 'a'))));
    });
  });
}

test('a directory open across many chunks keeps its order check right (chunks are not reused)', async () => {
  await withTempDir(async (dir) => {
    const src = join(dir, 'src');
    mkdirSync(src);
    // Entry `a`'s name is in the first chunk; its 0xff contents fill the next ones. Were that
    // chunk's buffer refilled, the check of `b` against `a` would read 0xff bytes.
    writeFileSync(join(src, 'a'), Buffer.alloc(2_600_000, 0xff));
    writeFileSync(join(src, 'b'), 'b');
    for (const options of [{ offload: false }, {}]) {
      const target = join(dir, `object-${options.offload ?? 'default'}`);
      const sink = new ObjectSink(target, { externalNarHash: true, parallelFiles: true });
      const nar = await pumpSource(src, sink, options);
      await sink.settle();
      assert.ok(sink.end(nar).narHash.equals((await narHashOfPath(src)).hash));
      assert.equal(readdirSync(target).sort(), ['a', 'b']);
    }
  });
});

test('progress reports the bytes of file contents written, ending at the total', async () => {
  await withTempDir(async (dir) => {
    const src = boundaryTree(dir);
    const sink = new ObjectSink(join(dir, 'object'), { externalNarHash: true });
    const seen: number[] = [];
    sink.end(await pumpSource(src, sink, { progress: (done) => seen.push(done) }));
    assert.is(seen.at(-1), 1_048_576 - 8 - 328);
  });
});

test.run();
