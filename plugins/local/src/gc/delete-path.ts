/**
 * Deleting one entry of the real store directory as Nix 2.8's `deletePath` does (spec
 * store-format §9.4): recursively, making each directory writable (u+rwx) before emptying it,
 * and counting the bytes that deletion is likely to free: the size of every non-directory with
 * 1 link, or 2 (an optimised file whose `.links` twin goes in the unused-links step, which
 * itself counts nothing).
 *
 * @example
 *   const freed = deleteRealPath('/srv/root/nix/store/…-hello');   // bigint bytes
 */
import { chmodSync, lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { errnoCode, ioError } from '@strata/core/io-error';

const USER_RWX = 0o700;

/**
 * Removes `path` and everything below it; returns the bytes freed as Nix counts them. A path
 * that does not exist frees nothing and is not an error.
 */
export function deleteRealPath(path: string): bigint {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path, { bigint: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 0n;
    throw ioError('getting status of', path, e);
  }
  let freed = 0n;
  const isDir = st.isDirectory();
  if (!isDir && (st.nlink === 1n || st.nlink === 2n)) freed += st.size;
  if (isDir) {
    if ((Number(st.mode) & USER_RWX) !== USER_RWX) {
      try {
        chmodSync(path, (Number(st.mode) & 0o7777) | USER_RWX);
      } catch (e) {
        throw ioError('chmod', path, e);
      }
    }
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      throw ioError('opening directory', path, e);
    }
    for (const name of names) freed += deleteRealPath(`${path}/${name}`);
  }
  try {
    if (isDir) rmdirSync(path);
    else unlinkSync(path);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw ioError('cannot unlink', path, e);
  }
  return freed;
}
