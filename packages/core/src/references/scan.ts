/**
 * Streaming reference scanner (spec store-format §4): which of a set of candidate store paths
 * have their 32-character hash part somewhere in a byte stream (a NAR: file contents, names
 * and symlink targets alike). Only candidates are looked for; found ones are not looked for
 * again, and scanning ends early once all are found.
 *
 * Each window of 32 bytes is tested from its end, so a non-Nix32 byte lets the scan jump past
 * it; after a window of Nix32 bytes only one new byte needs testing per step. The last 31 bytes
 * of each chunk are kept, so hashes straddling chunk boundaries are found.
 *
 * @example
 *   const scanner = new ReferenceScanner(['/nix/store/wkb38adhw4i46sxpcl84c1g6wxsylyag-dep']);
 *   for await (const chunk of dumpPath(out)) scanner.update(chunk);
 *   scanner.found;   // Set { '/nix/store/wkb38adhw4i46sxpcl84c1g6wxsylyag-dep' } if referenced
 */
import { strataError } from '../errors.js';
import { BASE32_ALPHABET } from '../hash/base32.js';

/** Length of a store path's hash part. */
const HASH_PART_LENGTH = 32;

const IS_NIX32 = new Uint8Array(256);
for (const c of BASE32_ALPHABET) IS_NIX32[c.charCodeAt(0)] = 1;

interface Candidate {
  /** The hash part's bytes. */
  readonly bytes: Uint8Array;
  /** The candidates (as given) with this hash part. */
  readonly given: string[];
}

/** The hash part of a candidate: the string itself, or the first 32 characters of a path's base name. */
function hashPartOf(candidate: string): string {
  const base = candidate.slice(candidate.lastIndexOf('/') + 1);
  if (base.length < HASH_PART_LENGTH) {
    throw strataError('STRATA_ERR_STORE_PATH_TOO_SHORT', { base });
  }
  const part = base.slice(0, HASH_PART_LENGTH);
  for (const c of part) {
    if (c.charCodeAt(0) > 0xff || IS_NIX32[c.charCodeAt(0)] === 0) {
      throw strataError('STRATA_ERR_STORE_PATH_BAD_HASH_CHAR', { base, char: c });
    }
  }
  return part;
}

/** First four bytes of a hash part as a number: the lookup key of a window. */
function keyAt(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/**
 * Incremental scanner: `update` with each chunk in order; `found` holds the candidates (in the
 * form given: hash parts or store paths) whose hash part occurred so far.
 */
export class ReferenceScanner {
  /** Not yet found candidates by the key of their first four bytes. */
  readonly #pending = new Map<number, Candidate[]>();
  /** Candidates (found or not) per first two bytes: a cheap test before the map lookup. */
  readonly #firstTwo = new Uint8Array(65536);
  #pendingCount = 0;
  readonly #found = new Set<string>();
  /** The last (up to 31) bytes seen, for matches across chunk boundaries. */
  readonly #tail = new Uint8Array(HASH_PART_LENGTH - 1);
  #tailLen = 0;
  readonly #seam = new Uint8Array(2 * (HASH_PART_LENGTH - 1));

  /** `candidates`: hash parts (32 Nix32 characters) or store paths. */
  constructor(candidates: Iterable<string>) {
    const byPart = new Map<string, Candidate>();
    for (const given of candidates) {
      const part = hashPartOf(given);
      let c = byPart.get(part);
      if (c === undefined) {
        c = { bytes: Uint8Array.from(part, (ch) => ch.charCodeAt(0)), given: [] };
        byPart.set(part, c);
        this.#firstTwo[c.bytes[0] | (c.bytes[1] << 8)] = 1;
        const key = keyAt(c.bytes, 0);
        const list = this.#pending.get(key);
        if (list === undefined) this.#pending.set(key, [c]);
        else list.push(c);
        this.#pendingCount++;
      }
      if (!c.given.includes(given)) c.given.push(given);
    }
  }

  /** The candidates found so far. */
  get found(): ReadonlySet<string> {
    return this.#found;
  }

  /** True when every candidate has been found (further input cannot change the result). */
  get done(): boolean {
    return this.#pendingCount === 0;
  }

  /** Scans the next chunk of the stream. */
  update(chunk: Uint8Array): void {
    if (this.#pendingCount === 0 || chunk.length === 0) return;
    const keep = HASH_PART_LENGTH - 1;
    if (this.#tailLen > 0) {
      // Windows that start in the tail and end in this chunk.
      const head = Math.min(chunk.length, keep);
      this.#seam.set(this.#tail.subarray(0, this.#tailLen));
      this.#seam.set(chunk.subarray(0, head), this.#tailLen);
      this.#search(this.#seam.subarray(0, this.#tailLen + head));
    }
    this.#search(chunk);
    if (chunk.length >= keep) {
      this.#tail.set(chunk.subarray(chunk.length - keep));
      this.#tailLen = keep;
    } else {
      const total = Math.min(keep, this.#tailLen + chunk.length);
      const fromTail = total - chunk.length;
      this.#tail.copyWithin(0, this.#tailLen - fromTail, this.#tailLen);
      this.#tail.set(chunk, fromTail);
      this.#tailLen = total;
    }
  }

  #search(s: Uint8Array): void {
    const last = s.length - HASH_PART_LENGTH;
    let i = 0;
    /** Bytes before this index (from `i` on) are known to be Nix32. */
    let good = 0;
    while (i <= last) {
      const lo = Math.max(good, i);
      let j = i + HASH_PART_LENGTH - 1;
      while (j >= lo && IS_NIX32[s[j]] === 1) j--;
      if (j >= lo) {
        // s[j] is not Nix32: no window containing it can match.
        good = i + HASH_PART_LENGTH;
        i = j + 1;
        continue;
      }
      good = i + HASH_PART_LENGTH;
      if (this.#firstTwo[s[i] | (s[i + 1] << 8)] === 1) {
        const list = this.#pending.get(keyAt(s, i));
        if (list !== undefined) this.#match(s, i, list);
        if (this.#pendingCount === 0) return;
      }
      i++;
    }
  }

  #match(s: Uint8Array, i: number, list: Candidate[]): void {
    outer: for (let k = 0; k < list.length; k++) {
      const c = list[k].bytes;
      for (let m = 4; m < HASH_PART_LENGTH; m++) if (s[i + m] !== c[m]) continue outer;
      for (const g of list[k].given) this.#found.add(g);
      list.splice(k, 1);
      if (list.length === 0) this.#pending.delete(keyAt(c, 0));
      this.#pendingCount--;
      return;
    }
  }
}

/** Scans a whole stream; returns the candidates whose hash part occurs in it. */
export async function scanForReferences(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  candidates: Iterable<string>,
): Promise<ReadonlySet<string>> {
  const scanner = new ReferenceScanner(candidates);
  for await (const chunk of source) {
    scanner.update(chunk);
    if (scanner.done) break;
  }
  return scanner.found;
}

/**
 * Every distinct run of 32 Nix32 characters in `bytes`: the hash parts it could mention, for
 * when the candidates are not known in advance (a store asked by hash part instead).
 */
export function hashPartsIn(bytes: Uint8Array): Set<string> {
  const parts = new Set<string>();
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (IS_NIX32[bytes[i]] === 0) {
      run = 0;
      continue;
    }
    if (++run >= HASH_PART_LENGTH) {
      parts.add(String.fromCharCode(...bytes.subarray(i + 1 - HASH_PART_LENGTH, i + 1)));
    }
  }
  return parts;
}
