/**
 * The NAR hash of a file system object, the fastest way for its kind: trees and big files
 * through the add-on's threaded hasher (`narHashTree`: the system calls for many small files
 * run on both cores while another thread hashes), a small file or a symlink right here with
 * core's dumper (starting threads would cost more than hashing it). Used by `verify
 * --check-contents`, `--verify-path`, `strata hash path` and `strata store-path source`.
 *
 * @example
 *   const { hash, size } = await narHashOfObject('/nix/store/…-tree', 'sha256');
 */
import { lstatSync, type Stats } from 'node:fs';
import { type HashAlgorithm, ioError, type NarHashResult, narHashOfPath } from '@strata/core';
import { narHashTree } from './nar-hash-tree.js';

/** Files up to this size are hashed on this thread. */
const SMALL_FILE = 1 << 20;

/** The NAR hash and size of the object at `path` (a symlink there is not followed). */
export async function narHashOfObject(
  path: string,
  algorithm: HashAlgorithm = 'sha256',
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
