/**
 * The column formats of `ValidPaths` (spec store-format §6.3): how a `PathInfo` is written to
 * a row and read back, exactly as Nix 2.8 does it. Absent values are SQL NULL, never `''` or 0.
 *
 * @example
 *   encodeSigs(['b:…', 'a:…']);  // 'a:… b:…'   (sorted, one space)
 *   decodeSigs(null);            // []
 */
import { strataError } from '@strata/core/errors';
import type { Hash } from '@strata/core/hash';
import { parseHash } from '@strata/core/hash';
import { makePathInfo, type PathInfo, sortedSignatures } from '@strata/core/path-info';
import {
  type ContentAddress,
  parseContentAddress,
  renderContentAddress,
} from '@strata/core/store-path';

/** A `ValidPaths` row as the path-info query returns it. */
export interface ValidPathRow {
  readonly id: number;
  readonly hash: string;
  readonly registrationTime: number;
  readonly deriver: string | null;
  readonly narSize: number | null;
  readonly ultimate: number | null;
  readonly sigs: string | null;
  readonly ca: string | null;
}

/** `sha256:<base16>`: the `hash` column. */
export function encodeNarHash(hash: Hash): string {
  if (hash.algorithm !== 'sha256') {
    throw strataError('STRATA_ERR_HASH_WRONG_TYPE', { text: hash.toString(), algo: 'sha256' });
  }
  return hash.toString('base16');
}

/** The `sigs` column: sorted, space-separated, or NULL when there are none. */
export function encodeSigs(sigs: readonly string[]): string | null {
  return sigs.length === 0 ? null : sortedSignatures(sigs).join(' ');
}

/** Signatures from the `sigs` column (NULL or empty → none). */
export function decodeSigs(sigs: string | null): string[] {
  return sigs === null ? [] : sigs.split(' ').filter((s) => s !== '');
}

/** The `ca` column: the content address with a Nix32 hash, or NULL. */
export function encodeContentAddress(ca: ContentAddress | undefined): string | null {
  return ca === undefined ? null : renderContentAddress(ca);
}

/** The row's values for `insert into ValidPaths (path, hash, …, ca)`, in column order. */
export function rowValues(
  info: PathInfo,
  now: () => number,
): [string, string, number, string | null, number | null, 1 | null, string | null, string | null] {
  return [
    info.path,
    encodeNarHash(info.narHash),
    info.registrationTime ? info.registrationTime : now(),
    info.deriver ?? null,
    info.narSize === 0 ? null : info.narSize,
    info.ultimate ? 1 : null,
    encodeSigs(info.sigs),
    encodeContentAddress(info.ca),
  ];
}

/**
 * A `PathInfo` from its row and references. An unreadable hash fails with Nix's
 * `invalid-path entry for '<p>': <reason>`.
 */
export function decodePathInfo(path: string, row: ValidPathRow, references: string[]): PathInfo {
  let narHash: Hash;
  try {
    narHash = parseHash(row.hash);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw strataError('STRATA_ERR_LOCALDB_BAD_ROW', { path, reason }, { cause: e });
  }
  const info = makePathInfo({
    path,
    narHash,
    narSize: row.narSize ?? 0,
    references,
    sigs: decodeSigs(row.sigs),
    registrationTime: row.registrationTime,
    ultimate: row.ultimate === 1,
  });
  if (row.deriver !== null && row.deriver !== '') info.deriver = row.deriver;
  const ca = row.ca === null ? undefined : parseContentAddress(row.ca);
  if (ca !== undefined) info.ca = ca;
  return info;
}
