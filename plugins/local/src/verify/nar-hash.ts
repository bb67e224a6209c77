/**
 * The NAR hash of a store object on disk, for `verify --check-contents` and `--verify-path`:
 * trees and big files through the add-on's threaded hasher (`narHashTree` of @strata/native:
 * the system calls for many small files run on both cores while another thread hashes), a
 * small file or a symlink right here (starting threads would cost more than hashing it).
 *
 * @example
 *   const { hash, size } = await narHashOfObject('/nix/store/…-tree', 'sha256');
 */
import { lstatSync, type Stats } from 'node:fs';
import type { HashAlgorithm } from '@strata/core/hash';
import { ioError } from '@strata/core/io-error';
import { type NarHashResult, narHashOfPath } from '@strata/core/nar';
import { narHashTree } from '@strata/native';

/** Files up to this size are hashed on this thread. */
const SMALL_FILE = 1 << 20;

/** The NAR hash and size of the object at `path` (the real path of a store path). */
export async function narHashOfObject(
  path: string,
  algorithm: HashAlgorithm,
): Promise<NarHashResult> {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw ioError('getting status of', path, e);
  }
  if (st.isDirectory() || (st.isFile() && st.size > SMALL_FILE)) {
    return narHashTree(path, algorithm);
  }
  return narHashOfPath(path, algorithm);
}
