import { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeAll } from './output.js';

const test = suite('writeAll: stdout with back-pressure');

/** A writable that takes one small chunk at a time, each a tick later (a slow reader). */
function slowSink(fail?: (n: number) => NodeJS.ErrnoException | undefined) {
  const received: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, done) {
      const error = fail?.(received.length);
      setImmediate(() => {
        if (error === undefined) received.push(Buffer.from(chunk));
        done(error);
      });
    },
  });
  return { sink, received };
}

async function* chunks(n: number, size = 64): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) yield Buffer.alloc(size, i % 251);
}

const listeners = (w: Writable) =>
  ['error', 'drain', 'close'].map((e) => w.listenerCount(e)).join(',');

test('every chunk arrives, and no listener is left behind however often it waits', async () => {
  const { sink, received } = slowSink();
  const before = listeners(sink);
  let warned = false;
  const onWarning = () => {
    warned = true;
  };
  process.on('warning', onWarning);
  try {
    await writeAll(sink, chunks(200));
  } finally {
    process.off('warning', onWarning);
  }
  assert.is(received.length, 200);
  assert.ok(received.every((c, i) => c.length === 64 && c[0] === i % 251));
  assert.is(listeners(sink), before);
  assert.not.ok(warned, 'no MaxListenersExceededWarning');
});

test('a closed pipe (EPIPE) ends the copy quietly; other write errors fail it', async () => {
  const epipe = slowSink((n) =>
    n === 3 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : undefined,
  );
  await writeAll(epipe.sink, chunks(100));
  assert.ok(epipe.received.length <= 3);

  const full = slowSink((n) =>
    n === 2 ? Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }) : undefined,
  );
  try {
    await writeAll(full.sink, chunks(100));
    assert.unreachable('a write error must fail the copy');
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  assert.is(listeners(full.sink), '0,0,0');
});

test.run();
