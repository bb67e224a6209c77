/**
 * Nix's base32 ("Nix32", spec store-format §1.3): alphabet `0-9a-z` without `e o u t`, and a
 * bit order of its own. Character `c`, counted from the END of the string, holds bits
 * `5c … 5c+4` of the digest, numbered little-endian across the bytes; so the last character
 * depends on the first byte, and the string is not a big-endian number.
 *
 * @example
 *   encodeBase32(Uint8Array.of(0xff)); // '7z'
 *   decodeBase32('7z', 1);             // Uint8Array [ 0xff ]
 */
import { strataError } from '../errors.js';
import { base32Length } from './algorithm.js';

/** The 32 Nix32 digits, index = value. */
export const BASE32_ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';

// Digit value per character code, -1 for characters outside the alphabet.
const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE32_ALPHABET.length; i++) DIGIT_OF[BASE32_ALPHABET.charCodeAt(i)] = i;

/** True when `code` (a character code) is a Nix32 digit. */
export function isBase32Char(code: number): boolean {
  return code < 128 && DIGIT_OF[code] >= 0;
}

/** Renders `bytes` in Nix32; the result has `base32Length(bytes.length)` characters. */
export function encodeBase32(bytes: Uint8Array): string {
  const n = bytes.length;
  const len = base32Length(n);
  let out = '';
  for (let c = len - 1; c >= 0; c--) {
    const b = c * 5;
    const i = b >>> 3;
    const j = b & 7;
    let v = bytes[i] >>> j;
    if (i + 1 < n) v |= bytes[i + 1] << (8 - j);
    out += BASE32_ALPHABET[v & 31];
  }
  return out;
}

/**
 * Decodes Nix32 `text` into `size` bytes. Fails with Nix's `invalid base-32 hash '<text>'`
 * when the length is not `base32Length(size)`, a character is outside the alphabet, or the
 * first character carries bits beyond the digest (for sha256 it must be `0` or `1`).
 */
export function decodeBase32(text: string, size: number): Uint8Array {
  if (text.length !== base32Length(size)) throw strataError('STRATA_ERR_HASH_BAD_BASE32', { text });
  const out = new Uint8Array(size);
  const last = text.length - 1;
  for (let c = 0; c <= last; c++) {
    const code = text.charCodeAt(last - c);
    const d = code < 128 ? DIGIT_OF[code] : -1;
    if (d < 0) throw strataError('STRATA_ERR_HASH_BAD_BASE32', { text });
    const b = c * 5;
    const i = b >>> 3;
    const j = b & 7;
    out[i] |= d << j;
    const carry = d >>> (8 - j);
    if (i + 1 < size) out[i + 1] |= carry;
    else if (carry !== 0) throw strataError('STRATA_ERR_HASH_BAD_BASE32', { text });
  }
  return out;
}
