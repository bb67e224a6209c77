/**
 * The name of a file's entry in `real/.links` (spec store-format §11): the SHA-256 NAR hash of
 * the single file or symlink, in Nix32 without the `sha256:` prefix. The NAR covers the
 * executable bit (and, for a symlink, the link text), so `0444` and `0555` copies of the same
 * bytes get different keys. Equals `nix-hash --type sha256 --base32 FILE`.
 *
 * @example
 *   await linkKey('/r/nix/store/…-d1/a')   // '0zv3q8kzg89iw672fc00j77qqaw887zlr5nkzgcxlycbq0ykfsms'
 */
import { join } from 'node:path';
import { narHashOfPath } from '@strata/core/nar';
import type { StoreLocations } from '../layout/locations.js';

/** The `.links` key of the file, symlink (or, for verify, tree) at `path`. */
export async function linkKey(path: string | Buffer): Promise<string> {
  const { hash } = await narHashOfPath(path, 'sha256');
  return hash.toString('base32', false);
}

/** The directory of a store's hard-link targets, `real/.links`. */
export function linksDir(locations: StoreLocations): string {
  return join(locations.realStoreDir, '.links');
}
