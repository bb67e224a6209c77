/**
 * `Hash`: a digest together with its algorithm, and its renderings (spec store-format §1.5).
 *
 * @example
 *   const h = hashBytes('sha256', new TextEncoder().encode('abc'));
 *   h.toString('base32');        // 'sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s'
 *   h.toString('base16', false); // 'ba7816bf…20015ad'
 *   h.toSri();                   // 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='
 */
import { digestSize, type HashAlgorithm } from './algorithm.js';
import { encodeBase16 } from './base16.js';
import { encodeBase32 } from './base32.js';
import { encodeBase64 } from './base64.js';

/** The textual encodings of a hash; `sri` is `<algo>-<base64>`. */
export type HashEncoding = 'base16' | 'base32' | 'base64' | 'sri';

/** A digest of a known algorithm. Immutable by contract: never write to `bytes`. */
export class Hash {
  readonly algorithm: HashAlgorithm;
  readonly bytes: Uint8Array;

  /** Wraps `bytes` (not copied), which must be exactly one digest of `algorithm` long. */
  constructor(algorithm: HashAlgorithm, bytes: Uint8Array) {
    const size = digestSize(algorithm);
    if (bytes.length !== size) {
      throw new RangeError(`a ${algorithm} digest has ${size} bytes, not ${bytes.length}`);
    }
    this.algorithm = algorithm;
    this.bytes = bytes;
  }

  /** Lower-case hexadecimal, without prefix. */
  toBase16(): string {
    return encodeBase16(this.bytes);
  }

  /** Nix32, without prefix. */
  toBase32(): string {
    return encodeBase32(this.bytes);
  }

  /** Padded base64, without prefix. */
  toBase64(): string {
    return encodeBase64(this.bytes);
  }

  /** `<algo>-<padded base64>`. */
  toSri(): string {
    return `${this.algorithm}-${this.toBase64()}`;
  }

  /**
   * Renders the hash in `encoding`, with the `<algo>:` prefix when `prefixed` (the default).
   * SRI always carries its `<algo>-` prefix, as in Nix.
   */
  toString(encoding: HashEncoding = 'base32', prefixed = true): string {
    let digits: string;
    switch (encoding) {
      case 'sri':
        return this.toSri();
      case 'base16':
        digits = this.toBase16();
        break;
      case 'base32':
        digits = this.toBase32();
        break;
      case 'base64':
        digits = this.toBase64();
        break;
    }
    return prefixed ? `${this.algorithm}:${digits}` : digits;
  }

  /** Same algorithm and same bytes. */
  equals(other: Hash): boolean {
    if (this.algorithm !== other.algorithm) return false;
    const a = this.bytes;
    const b = other.bytes;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}

/**
 * Folds `bytes` into `size` bytes by XOR: byte `i` goes into output byte `i mod size`
 * (spec store-format §1.6). Turns a SHA-256 into the 160-bit store-path hash.
 */
export function compressHash(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < bytes.length; i++) out[i % size] ^= bytes[i];
  return out;
}
