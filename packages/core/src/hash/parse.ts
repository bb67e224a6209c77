/**
 * Parsing textual hashes exactly like Nix 2.8 (spec store-format §1.5).
 *
 * Forms: `<algo>:<digits>` (base16, Nix32 or base64, chosen by length), SRI `<algo>-<base64>`,
 * and bare digits when the algorithm is known from context.
 *
 * @example
 *   parseHash('sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s');
 *   parseHash('sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
 *   parseHash('ba7816bf…20015ad', 'sha256');      // bare: the algorithm comes from the caller
 *   parseHashUnprefixed('1b8m…cy5s', 'sha256');   // digits only, as in content addresses
 */
import { strataError } from '../errors.js';
import {
  base16Length,
  base32Length,
  base64Length,
  digestSize,
  type HashAlgorithm,
  parseHashAlgorithm,
} from './algorithm.js';
import { decodeBase16 } from './base16.js';
import { decodeBase32 } from './base32.js';
import { decodeBase64 } from './base64.js';
import { Hash } from './hash.js';

/**
 * Decodes the digits of a hash of `algorithm` (Nix's `Hash(rest, type, isSRI)`): SRI digits are
 * base64 of any length; otherwise the encoding is chosen by the length of `digits`.
 */
function decodeDigits(digits: string, algorithm: HashAlgorithm, isSri: boolean): Hash {
  const size = digestSize(algorithm);
  if (!isSri && digits.length === base16Length(size)) {
    return new Hash(algorithm, decodeBase16(digits));
  }
  if (!isSri && digits.length === base32Length(size)) {
    return new Hash(algorithm, decodeBase32(digits, size));
  }
  if (isSri || digits.length === base64Length(size)) {
    const bytes = decodeBase64(digits);
    if (bytes.length !== size) {
      throw strataError(isSri ? 'STRATA_ERR_HASH_BAD_SRI' : 'STRATA_ERR_HASH_BAD_BASE64', {
        text: digits,
      });
    }
    return new Hash(algorithm, bytes);
  }
  throw strataError('STRATA_ERR_HASH_WRONG_LENGTH', { text: digits, algo: algorithm });
}

/** Splits off an `<algo>:` or (SRI) `<algo>-` prefix, as Nix's `getParsedTypeAndSRI` does. */
function splitPrefix(text: string): { algorithm?: HashAlgorithm; digits: string; isSri: boolean } {
  const colon = text.indexOf(':');
  if (colon >= 0) {
    return {
      algorithm: parseHashAlgorithm(text.slice(0, colon)),
      digits: text.slice(colon + 1),
      isSri: false,
    };
  }
  const dash = text.indexOf('-');
  if (dash >= 0) {
    return {
      algorithm: parseHashAlgorithm(text.slice(0, dash)),
      digits: text.slice(dash + 1),
      isSri: true,
    };
  }
  return { digits: text, isSri: false };
}

/**
 * Parses a hash in any form ("parse any, prefixed"). Without `expected` the text must name its
 * algorithm (`hash '<s>' does not include a type`, as Nix's `parseAnyPrefixed`); with it, a bare
 * text is read as that algorithm and a prefix naming another fails with
 * `hash '<s>' should have type '<expected>'` (Nix's `parseAny`).
 */
export function parseHash(text: string, expected?: HashAlgorithm): Hash {
  const { algorithm, digits, isSri } = splitPrefix(text);
  if (algorithm === undefined) {
    if (expected === undefined) throw strataError('STRATA_ERR_HASH_MISSING_TYPE', { text });
    return decodeDigits(digits, expected, isSri);
  }
  if (expected !== undefined && algorithm !== expected) {
    throw strataError('STRATA_ERR_HASH_WRONG_TYPE', { text, algo: expected });
  }
  return decodeDigits(digits, algorithm, isSri);
}

/**
 * Nix's `Hash::parseAny(text, algorithm)` for tools where the algorithm is an optional separate
 * argument (`nix hash to-base16 [--type T] HASH`). Same as `parseHash(text, algorithm)`, except
 * that a bare text with no algorithm given fails with Nix's longer message
 * `hash '<s>' does not include a type, nor is the type otherwise known from context`.
 */
export function parseHashAny(text: string, algorithm?: HashAlgorithm): Hash {
  if (algorithm === undefined && text.indexOf(':') < 0 && text.indexOf('-') < 0) {
    throw strataError('STRATA_ERR_HASH_MISSING_TYPE_NO_CONTEXT', { text });
  }
  return parseHash(text, algorithm);
}

/**
 * Parses bare digits (base16, Nix32 or base64 by length, no prefix, no SRI) of a hash of
 * `algorithm`: Nix's `parseNonSRIUnprefixed`, used for the hash in content addresses.
 */
export function parseHashUnprefixed(digits: string, algorithm: HashAlgorithm): Hash {
  return decodeDigits(digits, algorithm, false);
}

/** Parses an SRI hash `<algo>-<base64>` and nothing else (Nix's `Hash::parseSRI`). */
export function parseSriHash(text: string): Hash {
  const dash = text.indexOf('-');
  if (dash < 0) throw strataError('STRATA_ERR_HASH_NOT_SRI', { text });
  return decodeDigits(text.slice(dash + 1), parseHashAlgorithm(text.slice(0, dash)), true);
}
