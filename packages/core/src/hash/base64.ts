/**
 * Base64 with Nix 2.8's decoder quirks (spec store-format §1.4). Writers always use the
 * standard alphabet with `=` padding. The reader stops at the first `=` (so missing padding,
 * and anything after the padding, is accepted), skips `\n`, and rejects every other character
 * outside `A–Z a–z 0–9 + /`; leftover bits of a partial final group are dropped unchecked.
 *
 * @example
 *   decodeBase64('YWJj');  // 'abc'
 *   decodeBase64('YWJj=garbage'); // 'abc' too, as in Nix 2.8
 */
import { strataError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT_OF[ALPHABET.charCodeAt(i)] = i;

/** Renders `bytes` as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes base64 text the way Nix 2.8's `base64Decode` does. A character outside the alphabet
 * fails with `invalid character in Base64 string: ''`: 2.8 prints the character as empty, and
 * Strata keeps that text so messages compare equal; the character itself is in the hint.
 */
export function decodeBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code === 0x3d /* = */) break;
    if (code === 0x0a /* \n */) continue;
    const d = code < 128 ? DIGIT_OF[code] : -1;
    if (d < 0) {
      const char = String.fromCodePoint(text.codePointAt(k) ?? code);
      throw strataError(
        'STRATA_ERR_HASH_BAD_BASE64_CHAR',
        { char: '' },
        { hint: `${JSON.stringify(char)} at position ${k} is not a base64 character` },
      );
    }
    acc = ((acc << 6) | d) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}
