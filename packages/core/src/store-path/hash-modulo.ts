/**
 * The hash modulo self-reference of a NAR (spec store-format §2.3.1), the inner hash of a
 * `source` object that refers to itself: SHA-256 of the NAR with every occurrence of the
 * object's old hash part replaced by NUL bytes, followed by `|<offset>` for each occurrence.
 * Nix's `HashModuloSink`.
 *
 * @example
 *   // make-content-addressed: `nar` has the references already rewritten to their new paths.
 *   const { hash } = await hashModulo(nar, oldPath.hashPart);
 *   const newPath = makeSourcePath(oldPath.name, hash, otherRefs, refersToItself, storeDir);
 *   // ca = fixed:r:sha256:<hash>; the stored NAR has oldPath.hashPart → newPath.hashPart.
 */
import type { HashAlgorithm } from '../hash/algorithm.js';
import type { Hash } from '../hash/hash.js';
import { createHasher, type Hasher } from '../hash/hasher.js';
import { Rewriter } from './rewrite.js';

/** The result of a hash modulo: the hash, the occurrences' offsets, and the bytes hashed. */
export interface HashModuloResult {
  readonly hash: Hash;
  /** Offsets of the occurrences of the modulus in the input, in order. */
  readonly offsets: readonly number[];
  /** Number of input bytes. */
  readonly size: number;
}

/** Incremental hash modulo `modulus` (normally a 32-character hash part). */
export class HashModuloSink {
  readonly #rewriter: Rewriter;
  readonly #hasher: Hasher;

  constructor(modulus: string, algorithm: HashAlgorithm = 'sha256') {
    this.#rewriter = new Rewriter(modulus, new Uint8Array(Buffer.byteLength(modulus, 'latin1')));
    this.#hasher = createHasher(algorithm);
  }

  /** Feeds a chunk of the NAR; occurrences may straddle chunks. */
  update(chunk: Uint8Array): this {
    for (const out of this.#rewriter.update(chunk)) this.#hasher.update(out);
    return this;
  }

  /** Finishes: hashes the rest, then `|<offset>` for every occurrence. */
  finish(): HashModuloResult {
    for (const out of this.#rewriter.finish()) this.#hasher.update(out);
    const size = this.#rewriter.position;
    const offsets = [...this.#rewriter.offsets];
    for (const offset of offsets) this.#hasher.update(Buffer.from(`|${offset}`, 'latin1'));
    return { hash: this.#hasher.digest(), offsets, size };
  }
}

/** Hashes `source` (NAR chunks) modulo `modulus`. */
export async function hashModulo(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  modulus: string,
  algorithm: HashAlgorithm = 'sha256',
): Promise<HashModuloResult> {
  const sink = new HashModuloSink(modulus, algorithm);
  for await (const chunk of source) sink.update(chunk);
  return sink.finish();
}
