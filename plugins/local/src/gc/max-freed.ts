/**
 * `--max-freed` values as Nix 2.8's `nix-store` reads them (spec store-format §9.5): a decimal
 * integer with an optional case-insensitive unit `K`, `M`, `G` or `T` (powers of 1024);
 * negative values mean 0.
 *
 * @example
 *   parseMaxFreed('10M');   // 10485760n
 *   parseMaxFreed('-5');    // 0n
 *   parseMaxFreed('5x');    // throws: invalid unit specifier 'X'
 */
import { strataError } from '@strata/core/errors';

const UNITS: Readonly<Record<string, bigint>> = {
  K: 1n << 10n,
  M: 1n << 20n,
  G: 1n << 30n,
  T: 1n << 40n,
};

// Nix reads the number into a `long long`.
const LONG_LONG_MAX = (1n << 63n) - 1n;
const LONG_LONG_MIN = -(1n << 63n);

/**
 * The byte count of a `--max-freed` argument. A trailing letter other than K/M/G/T fails with
 * `invalid unit specifier '<LETTER>'`; anything else that is not an integer with
 * `'<text>' is not an integer` (both usage errors, as in Nix).
 */
export function parseMaxFreed(text: string): bigint {
  let digits = text;
  let multiplier = 1n;
  const last = text.at(-1)?.toUpperCase();
  if (last !== undefined && /^[A-Z]$/.test(last)) {
    const unit = UNITS[last];
    if (unit === undefined) {
      throw strataError('STRATA_ERR_CLI_USAGE', { message: `invalid unit specifier '${last}'` });
    }
    multiplier = unit;
    digits = text.slice(0, -1);
  }
  const n = /^[+-]?[0-9]+$/.test(digits) ? BigInt(digits) : undefined;
  if (n === undefined || n > LONG_LONG_MAX || n < LONG_LONG_MIN) {
    throw strataError('STRATA_ERR_CLI_USAGE', { message: `'${digits}' is not an integer` });
  }
  const bytes = n * multiplier;
  return bytes < 0n ? 0n : bytes;
}
