/**
 * Base16 (hexadecimal) as Nix writes and reads it (spec store-format §1.2): writers emit lower
 * case, first byte first; readers also accept upper-case `A`–`F`, as Nix 2.8 does.
 */
import { strataError } from '../errors.js';

/** Renders `bytes` as lower-case hexadecimal. */
export function encodeBase16(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/**
 * Decodes hexadecimal text (either case). Fails with Nix's `invalid base-16 hash '<text>'` on
 * an odd length or a character that is not a hex digit.
 */
export function decodeBase16(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw strataError('STRATA_ERR_HASH_BAD_BASE16', { text });
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(text.charCodeAt(2 * i));
    const lo = hexDigit(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw strataError('STRATA_ERR_HASH_BAD_BASE16', { text });
    out[i] = (hi << 4) | lo;
  }
  return out;
}
