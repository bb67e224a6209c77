/**
 * The hash algorithms Nix 2.8 knows, their digest sizes and the lengths of their textual
 * encodings (spec store-format §1.1).
 *
 * Names are exact and lower case: `parseHashAlgorithm('SHA256')` fails just as Nix does.
 */
import { strataError } from '../errors.js';

/** A hash algorithm, written the way Nix writes it. */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';

/** Every algorithm, in Nix's order. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256', 'sha512'];

const DIGEST_SIZES: Readonly<Record<HashAlgorithm, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 32,
  sha512: 64,
};

/** True when `name` is exactly the name of a supported algorithm. */
export function isHashAlgorithm(name: string): name is HashAlgorithm {
  return Object.hasOwn(DIGEST_SIZES, name);
}

/**
 * Returns `name` as a `HashAlgorithm`, or fails with Nix's `unknown hash algorithm '<name>'`.
 */
export function parseHashAlgorithm(name: string): HashAlgorithm {
  if (!isHashAlgorithm(name)) throw strataError('STRATA_ERR_HASH_UNKNOWN_ALGO', { algo: name });
  return name;
}

/** Number of bytes in a digest of `algorithm`. */
export function digestSize(algorithm: HashAlgorithm): number {
  return DIGEST_SIZES[algorithm];
}

/** Length of the lower-case hexadecimal rendering of an `n`-byte digest. */
export function base16Length(n: number): number {
  return 2 * n;
}

/** Length of the Nix32 rendering of an `n`-byte digest: 26, 32, 52, 103 for md5…sha512. */
export function base32Length(n: number): number {
  return Math.floor((8 * n - 1) / 5) + 1;
}

/** Length of the padded base64 rendering of an `n`-byte digest. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}
