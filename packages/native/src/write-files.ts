/**
 * Many small files created at once: a `FileBatch` packs paths, modes and contents, and
 * `writeFiles` creates them on the libuv thread pool, each exclusively (never through a
 * symlink) with its contents, mtime 1 and the given mode — a store object's files in their
 * canonical form. Several batches in flight proceed in parallel (one pool thread each), which
 * is what makes adding a tree of thousands of files fast: inode allocation is the slow part.
 *
 * @example
 *   const batch = new FileBatch();
 *   batch.add(Buffer.from('/nix/store/…-tmp/a'), 0o444, 5);
 *   batch.append(Buffer.from('hello'));
 *   await writeFiles(batch);   // or: failure = StrataError `creating file '…/a': File exists`
 */
import { ioError } from '@strata/core';
import { native } from './addon.js';

const NUL = Buffer.alloc(1);
const OPS = ['creating file', 'writing to file', 'canonicalising'] as const;

/** Files to create in one thread-pool job; contents are copied into one buffer as they come. */
export class FileBatch {
  readonly #paths: Buffer[] = [];
  readonly #modes: number[] = [];
  readonly #sizes: number[] = [];
  #data = Buffer.allocUnsafe(0);
  #bytes = 0;
  #announced = 0;

  /** Number of files. */
  get count(): number {
    return this.#modes.length;
  }

  /** Bytes of contents appended so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a file of `size` bytes; its contents follow with `append`. */
  add(path: Buffer, mode: number, size: number): void {
    this.#paths.push(path, NUL);
    this.#modes.push(mode);
    this.#sizes.push(size);
    this.#announced += size;
  }

  /** Appends (copies) contents of the file added last. */
  append(data: Uint8Array): void {
    const need = this.#bytes + data.length;
    if (need > this.#data.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#data.length * 2, 64 * 1024));
      this.#data.copy(grown, 0, 0, this.#bytes);
      this.#data = grown;
    }
    this.#data.set(data, this.#bytes);
    this.#bytes = need;
  }

  /** The path of file `index` (for error messages). */
  path(index: number): string {
    return this.#paths[index * 2]?.toString() ?? '';
  }

  /** The packed arguments of the native call; every file's contents must be complete. */
  pack(): [Buffer, Uint32Array, Buffer, Float64Array] {
    if (this.#bytes !== this.#announced) {
      throw new RangeError(`FileBatch: ${this.#bytes} bytes of contents for ${this.#announced}`);
    }
    return [
      Buffer.concat(this.#paths),
      Uint32Array.from(this.#modes),
      this.#data.subarray(0, this.#bytes),
      Float64Array.from(this.#sizes),
    ];
  }
}

/**
 * Creates the batch's files in order on a thread-pool thread (so the calling thread is free).
 * Stops at the first failure: a StrataError in Nix's words (`creating file '<path>': File
 * exists`, `writing to file '<path>': No space left on device`); the files created before it
 * stay (the caller removes the object being built).
 */
export async function writeFiles(batch: FileBatch): Promise<void> {
  if (batch.count === 0) return;
  try {
    await native().writeFiles(...batch.pack());
  } catch (e) {
    const index = (e as { index?: unknown }).index;
    if (typeof index === 'number') {
      const op = OPS[(e as { op?: number }).op ?? 0] ?? OPS[0];
      throw ioError(op, batch.path(index), e);
    }
    throw e;
  }
}
