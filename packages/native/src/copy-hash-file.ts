/**
 * A big file into the store in one go: `copyHashFile` copies a file in the kernel
 * (`copy_file_range`) on a thread-pool thread while a second native thread hashes what has
 * been copied, straight from the page cache (SHA-256 of `prefix` + the copy + `suffix`: with a
 * NAR header and trailer, the NAR hash of a single-file object). Copying and hashing run on two
 * cores, the bytes never pass through JavaScript, and the hash is of what was written.
 *
 * @example
 *   const digest = await copyHashFile(src, dst, size, header, trailer,
 *     { source: '/tmp/big.iso', target: '/nix/store/…-tmp' });   // 32 bytes
 */
import { ioError, strataError } from '@strata/core';
import { checkFd, native } from './addon.js';

/** Paths for error messages. */
export interface CopyHashPaths {
  readonly source: string;
  readonly target: string;
}

/**
 * Copies `size` bytes from the start of `src` to `dst` (opened read-write, empty) and returns
 * SHA-256(prefix ‖ copy ‖ suffix); `dst`'s mtime is then 1. Fails in Nix's words: `reading
 * file '<source>': …` (and `unexpected end-of-file` when the source shrank), `writing to file
 * '<target>': No space left on device`.
 */
export async function copyHashFile(
  src: number,
  dst: number,
  size: number,
  prefix: Buffer,
  suffix: Buffer,
  paths: CopyHashPaths,
): Promise<Uint8Array> {
  checkFd(src);
  checkFd(dst);
  try {
    return new Uint8Array(await native().copyHashFile(src, dst, size, prefix, suffix));
  } catch (e) {
    const op = (e as { op?: unknown }).op;
    if (op === 3) {
      throw strataError('STRATA_ERR_IO_FAILED', {
        op: 'reading file',
        path: paths.source,
        reason: 'unexpected end-of-file',
      });
    }
    if (op === 0) throw ioError('reading file', paths.source, e);
    if (op === 1) throw ioError('writing to file', paths.target, e);
    if (op === 2) throw ioError('canonicalising', paths.target, e);
    throw e;
  }
}
