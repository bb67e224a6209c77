/**
 * A hash computed on a worker thread, fed by transferring chunk buffers (no copy) and getting
 * them back for reuse: the thread producing the bytes (e.g. walking a file tree) and the one
 * hashing them run on two cores at once. Worth it only for large inputs (starting the worker
 * costs tens of milliseconds).
 *
 * @example
 *   const h = new WorkerHasher('sha256');
 *   const buf = h.takeBuffer() ?? Buffer.allocUnsafe(1 << 20);   // fill it, then:
 *   await h.update(buf, n);        // the buffer now belongs to the worker until it comes back
 *   const digest = await h.digest();
 */
import { Worker } from 'node:worker_threads';

// Inline source: works the same from TypeScript sources, from the built package and bundled.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash(workerData);
parentPort.on('message', (m) => {
  if (m === null) {
    parentPort.postMessage({ digest: hash.digest() });
    return;
  }
  hash.update(new Uint8Array(m.buffer, 0, m.length));
  parentPort.postMessage({ buffer: m.buffer }, [m.buffer]);
});
`;

/** Chunks sent but not yet hashed before `update` waits (bounds memory to a few MiB). */
const MAX_IN_FLIGHT = 4;

export class WorkerHasher {
  readonly #worker: Worker;
  readonly #free: ArrayBuffer[] = [];
  #inFlight = 0;
  #wake: (() => void) | null = null;
  #digest: ((d: Uint8Array) => void) | null = null;
  #error: unknown = null;
  #fail: ((e: unknown) => void) | null = null;

  constructor(algorithm: string) {
    this.#worker = new Worker(SOURCE, { eval: true, workerData: algorithm });
    this.#worker.on('message', (m: { buffer?: ArrayBuffer; digest?: Uint8Array }) => {
      if (m.buffer !== undefined) {
        this.#inFlight--;
        this.#free.push(m.buffer);
        this.#wake?.();
      } else if (m.digest !== undefined) {
        this.#digest?.(new Uint8Array(m.digest));
      }
    });
    this.#worker.on('error', (e) => {
      this.#error = e;
      this.#fail?.(e);
      this.#wake?.();
    });
  }

  /** A buffer the worker has finished with, if any, to refill. */
  takeBuffer(): Buffer | undefined {
    const b = this.#free.pop();
    return b === undefined ? undefined : Buffer.from(b);
  }

  /**
   * Hands the first `length` bytes of `buf` to the worker. `buf` must span a whole ArrayBuffer
   * of its own (as `Buffer.allocUnsafe` of ≥ 4 KiB gives) and is detached by the call. Resolves
   * at once unless too many chunks are in flight.
   */
  async update(buf: Uint8Array, length: number): Promise<void> {
    if (this.#error !== null) throw this.#error;
    if (buf.byteOffset !== 0 || buf.byteLength !== buf.buffer.byteLength) {
      throw new RangeError('WorkerHasher.update needs a buffer that owns its ArrayBuffer');
    }
    const buffer = buf.buffer as ArrayBuffer;
    this.#inFlight++;
    this.#worker.postMessage({ buffer, length }, [buffer]);
    while (this.#inFlight >= MAX_IN_FLIGHT && this.#error === null) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
    if (this.#error !== null) throw this.#error;
  }

  /** Finishes the hash and stops the worker. */
  async digest(): Promise<Uint8Array> {
    if (this.#error !== null) throw this.#error;
    const result = new Promise<Uint8Array>((resolve, reject) => {
      this.#digest = resolve;
      this.#fail = reject;
    });
    this.#worker.postMessage(null);
    try {
      return await result;
    } finally {
      await this.#worker.terminate();
    }
  }

  /** Stops the worker without a result (after an error elsewhere). */
  async abort(): Promise<void> {
    await this.#worker.terminate();
  }
}
