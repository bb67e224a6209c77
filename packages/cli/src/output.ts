/**
 * Streaming bytes to a command's stdout with back-pressure, treating a closed pipe
 * (`strata nar dump x | head`) as the reader's choice rather than an error.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes every chunk of `source` to `out`, waiting for drain; stops quietly on EPIPE. */
export async function writeAll(out: Writable, source: AsyncIterable<Uint8Array>): Promise<void> {
  let closed = false;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
    else throw e;
  };
  out.on('error', onError);
  try {
    for await (const chunk of source) {
      if (closed) break;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
  } finally {
    out.off('error', onError);
  }
}
