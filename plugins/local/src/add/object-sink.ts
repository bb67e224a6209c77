/**
 * One pass over a NAR on its way into the store: parse it (a malformed NAR fails with the
 * parser's message), write the object in canonical form, hash the NAR (SHA-256, plus the CA
 * algorithm when another one is wanted), hash the contents of a single-file object for flat
 * and text content addresses, and scan for references. Everything a new store object needs
 * is known when the last byte has gone through; nothing is held in memory.
 *
 * @example
 *   const sink = new ObjectSink(`${tmp}/x`, { candidates: refs });
 *   for await (const chunk of nar) sink.write(chunk);
 *   const { narHash, narSize, references } = sink.end();
 */
import type { HashAlgorithm } from '@strata/core/hash';
import { createHasher, type Hash, type Hasher } from '@strata/core/hash';
import { type NarEvent, NarParser } from '@strata/core/nar';
import { ReferenceScanner } from '@strata/core/references';
import { CanonicalObjectWriter } from './object-writer.js';

/** What to compute besides the SHA-256 NAR hash. */
export interface ObjectSinkOptions {
  /** Also hash the NAR with this algorithm (fixed-output recursive CA with another algo). */
  readonly narAlgorithm?: HashAlgorithm;
  /** Hash the contents of the (single, regular) file with this algorithm (flat/text CA). */
  readonly flatAlgorithm?: HashAlgorithm;
  /** Store paths or hash parts to look for in the NAR. */
  readonly candidates?: Iterable<string>;
  /**
   * The caller hashes the NAR itself (on a worker thread, for big inputs) and passes the
   * SHA-256 and size to `end`.
   */
  readonly externalNarHash?: boolean;
  /**
   * Create small files on the thread pool, many at once (for trees; the caller then awaits
   * `drain()` between chunks and `settle()` before `end`).
   */
  readonly parallelFiles?: boolean;
}

/** What went through. */
export interface ObjectSinkResult {
  readonly narHash: Hash;
  readonly narSize: number;
  readonly narHashOther?: Hash;
  /** Undefined when not asked for, or when the object is not a regular file. */
  readonly flatHash?: Hash;
  readonly references: ReadonlySet<string>;
}

/** Consumes a NAR: writes its object at `target` and hashes/scans it. */
export class ObjectSink {
  readonly #parser = new NarParser();
  readonly #writer: CanonicalObjectWriter;
  readonly #nar: Hasher | undefined;
  readonly #narOther?: Hasher;
  readonly #flat?: Hasher;
  readonly #scanner?: ReferenceScanner;
  /** Whether the root node is a regular file (flat hashing applies). */
  #rootIsFile: boolean | undefined;
  readonly #emit = (e: NarEvent): void => {
    if (this.#rootIsFile === undefined) this.#rootIsFile = e.type === 'regular';
    if (e.type === 'contents' && this.#rootIsFile) this.#flat?.update(e.data);
    this.#writer.event(e);
  };

  constructor(target: string, options: ObjectSinkOptions = {}) {
    this.#writer = new CanonicalObjectWriter(target, { parallel: options.parallelFiles === true });
    this.#nar = options.externalNarHash ? undefined : createHasher('sha256');
    if (options.narAlgorithm && options.narAlgorithm !== 'sha256') {
      this.#narOther = createHasher(options.narAlgorithm);
    }
    if (options.flatAlgorithm) this.#flat = createHasher(options.flatAlgorithm);
    if (options.candidates) this.#scanner = new ReferenceScanner(options.candidates);
  }

  /** Bytes of file contents written so far. */
  get written(): number {
    return this.#writer.written;
  }

  /** Feeds the next chunk (it is not kept; the caller may reuse the buffer). */
  write(chunk: Uint8Array): void {
    this.#parser.write(chunk, this.#emit);
    this.#nar?.update(chunk);
    this.#narOther?.update(chunk);
    this.#scanner?.update(chunk);
  }

  /** With `parallelFiles`: a promise to await before writing more, if too much is in flight. */
  drain(): Promise<void> | undefined {
    return this.#writer.drain();
  }

  /** With `parallelFiles`: waits until every file is written and the object is canonical. */
  async settle(): Promise<void> {
    await this.#writer.settle();
  }

  /** After a failure: closes what is open and waits until nothing is being written. */
  async stop(): Promise<void> {
    await this.#writer.stop();
  }

  /** Ends the NAR; fails when it is incomplete. */
  end(external?: { narHash: Hash; narSize: number }): ObjectSinkResult {
    this.#parser.end();
    this.#writer.finish();
    const nar = external ?? { narHash: this.#nar!.digest(), narSize: this.#nar!.size };
    return {
      ...nar,
      ...(this.#narOther ? { narHashOther: this.#narOther.digest() } : {}),
      ...(this.#flat && this.#rootIsFile ? { flatHash: this.#flat.digest() } : {}),
      references: this.#scanner?.found ?? new Set(),
    };
  }

  /** Releases what is open after a failure. */
  abort(): void {
    this.#writer.abort();
  }
}
