/**
 * Base16 (hexadecimal) as Nix writes and reads it (spec store-format §1.2): writers emit lower
 * case, first byte first; readers also accept upper-case `A`–`F`, as Nix 2.8 does.
 */
import { strataError } from '../errors.js';

/** Renders `bytes` as lower-case hexadecimal. */
export function encodeBase16(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/**
 * Decodes hexadecimal text (either case). Fails with Nix's `invalid base-16 hash '<text>'` on
 * an odd length or a character that is not a hex digit.
 */
export function decodeBase16(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !HEX_DIGITS.test(text)) {
    throw strataError('STRATA_ERR_HASH_BAD_BASE16', { text });
  }
  // Buffer's decoder, copied out of Buffer's shared pool so the bytes own their memory.
  return new Uint8Array(Buffer.from(text, 'hex'));
}
