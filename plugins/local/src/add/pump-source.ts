/**
 * Source → object: walks `source` as a NAR (core's `FsNarDumper`), feeds every chunk to an
 * `ObjectSink` (which writes the object) and hashes the same chunks, so the hash is always of
 * exactly what was written. Past 16 MiB (or from the start, given a `WorkerHasher`) the hashing
 * runs on a worker thread: walking, parsing and writing here, hashing on another core; each
 * chunk buffer goes to the worker once the sink is done with it and comes back for reuse.
 * Smaller NARs, and trees when asked (`offload: false`), are hashed here (a worker costs tens of
 * milliseconds to start, and memory).
 *
 * @example
 *   const { narHash, narSize } = await pumpSource('/src/tree', sink, {});
 */
import { createHasher, Hash, type Hasher } from '@strata/core/hash';
import { DUMP_CHUNK_SIZE, FsNarDumper, WorkerHasher } from '@strata/core/nar';
import type { ObjectSink } from './object-sink.js';

/** NAR size from which hashing moves to a worker thread. */
export const OFFLOAD_AFTER = 16 * DUMP_CHUNK_SIZE;

/** Chunks between two turns of the event loop (progress, returned buffers, timers). */
const CHUNKS_PER_TURN = 16;

export interface PumpSourceOptions {
  readonly progress?: (done: number, total: number) => void;
  /** Total for progress (the file size for a single file; 0 when unknown). */
  readonly total?: number;
  /**
   * Hash on a worker thread once the NAR passes 16 MiB (default true). Adding a tree writes its
   * files on the thread pool, so this thread has time to hash, and a worker's memory is saved.
   */
  readonly offload?: boolean;
  /**
   * A SHA-256 worker started early (when the source is known to be big, so its start-up
   * overlaps other work). This function owns it from then on.
   */
  readonly worker?: WorkerHasher;
}

/** Writes `source` into `sink`; the SHA-256 NAR hash and size of what went in. */
export async function pumpSource(
  source: string,
  sink: ObjectSink,
  options: PumpSourceOptions = {},
): Promise<{ narHash: Hash; narSize: number }> {
  const { progress, total = 0 } = options;
  let worker = options.worker;
  let held: Buffer[] | undefined =
    worker === undefined && options.offload !== false ? [] : undefined;
  let heldSize = 0;
  const local: Hasher | undefined =
    options.offload === false && worker === undefined ? createHasher('sha256') : undefined;
  // Chunks are never reused once parsed: the parser keeps views of entry names (the last one
  // of every open directory, for its order check) for as long as the directory is open.
  const dumper = new FsNarDumper(source, {
    allocate: () => worker?.takeBuffer() ?? Buffer.allocUnsafe(DUMP_CHUNK_SIZE),
  });
  /** Hashes a chunk the sink is done with (its buffer may then leave this thread). */
  const hash = async (c: Buffer): Promise<void> => {
    if (local !== undefined) {
      local.update(c);
      return;
    }
    if (held === undefined) {
      await worker!.update(Buffer.from(c.buffer), c.length);
      return;
    }
    held.push(c);
    heldSize += c.length;
    if (heldSize < OFFLOAD_AFTER) return;
    worker = new WorkerHasher('sha256');
    for (const h of held) await worker.update(Buffer.from(h.buffer), h.length);
    held = undefined;
  };
  let size = 0;
  let turns = 0;
  // The parser may keep views into the chunk before the current one (an entry name whose
  // `node` tag starts the next chunk), so a chunk is handed on one chunk late.
  let previous: Buffer | null = null;
  try {
    for (let c = dumper.next(); c !== null; c = dumper.next()) {
      sink.write(c);
      size += c.length;
      const drained = sink.drain();
      if (drained !== undefined) await drained;
      if (previous !== null) await hash(previous);
      previous = c;
      if (++turns % CHUNKS_PER_TURN === 0) {
        progress?.(sink.written, total);
        await yieldToEventLoop();
      }
    }
    if (previous !== null) await hash(previous);
    progress?.(sink.written, total);
    if (local !== undefined) return { narHash: local.digest(), narSize: size };
    if (held !== undefined) {
      const hasher = createHasher('sha256');
      for (const h of held) hasher.update(h);
      return { narHash: hasher.digest(), narSize: size };
    }
    const digest = await worker!.digest();
    worker = undefined;
    return { narHash: new Hash('sha256', digest), narSize: size };
  } finally {
    dumper.close();
    if (worker !== undefined) await worker.abort();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
