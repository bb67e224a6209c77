/**
 * Sizes and summaries as Nix 2.8 prints them: `%.2f` MiB in the GC and optimise summaries,
 * and `nix path-info`'s size columns (`\t%11d`, or `\t%6.1f<unit>` with `-h`).
 *
 * @example
 *   pathInfoSize(1040, true);     // '\t   1.0K'
 */

/**
 * `num / den` with `decimals` digits, rounded as C's printf rounds the exact quotient (ties to
 * even; `toFixed` would round 0.125 up where `%.2f` gives 0.12).
 */
export function fixedPoint(num: bigint, den: bigint, decimals: number): string {
  const negative = num < 0n;
  const scaled = (negative ? -num : num) * 10n ** BigInt(decimals);
  let q = scaled / den;
  const r2 = (scaled % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(decimals + 1, '0');
  const int = digits.slice(0, digits.length - decimals);
  const frac = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : '';
  return `${negative ? '-' : ''}${int}${frac}`;
}

const UNITS = [' ', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** One size column of `nix path-info` (`-s`, `-S`): tab, then exact or human-readable. */
export function pathInfoSize(value: number, humanReadable: boolean): string {
  if (!humanReadable) return `\t${String(value).padStart(11)}`;
  let power = 0;
  let den = 1n;
  const v = BigInt(value);
  while (v > 1024n * den && power < UNITS.length - 1) {
    power++;
    den *= 1024n;
  }
  return `\t${fixedPoint(v, den, 1).padStart(6)}${UNITS[power]}`;
}
