/**
 * The texts the collector's caller prints: `nix-store --gc`'s stdout summary
 * `<n> store paths deleted, <x> MiB freed` and sizes in MiB as C's `%.2f` renders them.
 *
 * @example
 *   gcSummary({ paths: ['/nix/store/…-a'], bytesFreed: 1572864n });
 *   // '1 store paths deleted, 1.50 MiB freed'
 */
import type { GcResult } from '@strata/core/store';

const MIB = 1024n * 1024n;

/**
 * `bytes / 2^20` with two decimals, rounded as `printf("%.2f")` rounds the exact quotient
 * (ties to even, so 131072 bytes is `0.12`); negative values keep their sign (`-0.00`).
 */
export function formatMiB(bytes: bigint): string {
  const negative = bytes < 0n;
  const scaled = (negative ? -bytes : bytes) * 100n;
  let q = scaled / MIB;
  const r2 = (scaled % MIB) * 2n;
  if (r2 > MIB || (r2 === MIB && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** `<n> store paths deleted, <x> MiB freed` (Nix 2.8's stdout after `--gc` and `--delete`). */
export function gcSummary(result: GcResult): string {
  return `${result.paths.length} store paths deleted, ${formatMiB(result.bytesFreed)} MiB freed`;
}
