/**
 * Streaming bytes to a command's stdout with back-pressure, treating a closed pipe
 * (`strata nar dump x | head`) as the reader's choice rather than an error.
 */
import type { Writable } from 'node:stream';

/**
 * Writes every chunk of `source` to `out`, waiting for drain; stops quietly on EPIPE and fails
 * with any other write error. Adds three listeners and removes them, however many chunks
 * wait for a slow reader.
 */
export async function writeAll(out: Writable, source: AsyncIterable<Uint8Array>): Promise<void> {
  let closed = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const resume = () => {
    wake?.();
    wake = undefined;
  };
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
    else failure ??= e;
    resume();
  };
  const onClose = () => {
    closed = true;
    resume();
  };
  out.on('error', onError);
  out.on('drain', resume);
  out.on('close', onClose);
  try {
    for await (const chunk of source) {
      if (failure !== undefined) throw failure;
      if (closed) break;
      if (!out.write(chunk)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
    if (failure !== undefined) throw failure;
  } finally {
    out.off('error', onError);
    out.off('drain', resume);
    out.off('close', onClose);
  }
}
