/**
 * Streaming same-length string rewriting over bytes, as Nix's `RewritingSink`: replaces every
 * occurrence of `from` by `to` (leftmost first, non-overlapping) in a stream of chunks, finding
 * occurrences that straddle chunk boundaries, and records the offset of each.
 *
 * Used to replace an object's old hash part (by NULs for the hash modulo self, or by the new
 * hash part when making an object content-addressed).
 *
 * @example
 *   const r = new Rewriter(oldHashPart, newHashPart);
 *   for await (const chunk of nar) for (const out of r.update(chunk)) write(out);
 *   for (const out of r.finish()) write(out);
 *   r.offsets; // where oldHashPart occurred
 */

function toBytes(s: string | Uint8Array): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'latin1') : Buffer.from(s);
}

function view(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Rewrites `from` to `to` in a byte stream; output chunks are the input, rewritten. */
export class Rewriter {
  readonly #from: Buffer;
  readonly #to: Buffer;
  // The last `from.length - 1` bytes seen (already rewritten), not yet passed on: the start
  // of an occurrence that the next chunk may complete.
  #tail: Buffer = Buffer.alloc(0);
  #pos = 0;
  /** Offsets (in the stream) of the occurrences found so far, in order. */
  readonly offsets: number[] = [];

  /** `from` and `to` must have the same non-zero length (strings are taken as Latin-1 bytes). */
  constructor(from: string | Uint8Array, to: string | Uint8Array) {
    this.#from = toBytes(from);
    this.#to = toBytes(to);
    if (this.#from.length === 0 || this.#from.length !== this.#to.length) {
      throw new RangeError('a rewrite needs two strings of the same non-zero length');
    }
  }

  /** Bytes passed on so far. */
  get position(): number {
    return this.#pos;
  }

  /**
   * Feeds `chunk` (not modified, not kept) and returns the rewritten bytes that are final now;
   * up to `from.length - 1` bytes are held back until the next call or `finish()`.
   */
  update(chunk: Uint8Array): Uint8Array[] {
    const m = this.#from.length;
    const out: Uint8Array[] = [];
    let buf: Buffer;
    let owned: boolean;
    let from = 0;
    if (this.#tail.length === 0) {
      buf = view(chunk);
      owned = false;
    } else if (chunk.length < m) {
      buf = Buffer.concat([this.#tail, chunk]);
      owned = true;
    } else {
      // Only an occurrence starting in the tail can straddle; at most one fits there.
      const tail = this.#tail;
      const window = Buffer.concat([tail, chunk.subarray(0, m - 1)]);
      const i = window.indexOf(this.#from);
      buf = view(chunk);
      owned = false;
      if (i >= 0 && i < tail.length) {
        this.offsets.push(this.#pos + i);
        this.#to.copy(tail, i, 0, tail.length - i);
        buf = Buffer.from(chunk);
        owned = true;
        this.#to.copy(buf, 0, tail.length - i);
        from = m - (tail.length - i);
      }
      out.push(tail);
      this.#pos += tail.length;
      this.#tail = Buffer.alloc(0);
    }
    for (let k = buf.indexOf(this.#from, from); k >= 0; k = buf.indexOf(this.#from, k + m)) {
      if (!owned) {
        buf = Buffer.from(buf);
        owned = true;
      }
      this.offsets.push(this.#pos + k);
      this.#to.copy(buf, k);
    }
    if (buf.length < m) {
      this.#tail = owned ? buf : Buffer.from(buf);
      return out;
    }
    const keep = buf.length - (m - 1);
    out.push(buf.subarray(0, keep));
    this.#pos += keep;
    // Copied: the caller may reuse `chunk` once we return.
    this.#tail = Buffer.from(buf.subarray(keep));
    return out;
  }

  /** Returns the held-back bytes; the stream is complete. */
  finish(): Uint8Array[] {
    const tail = this.#tail;
    this.#tail = Buffer.alloc(0);
    this.#pos += tail.length;
    return tail.length > 0 ? [tail] : [];
  }
}
