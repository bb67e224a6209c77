/**
 * The fast way to add one big regular file (recursive SHA-256, the `nix-store --add` case):
 * the native add-on copies it into the store object in the kernel while another thread hashes
 * the copy, so copying and hashing overlap on two cores and no byte passes through
 * JavaScript. The object is created as `restorePath`/the object writer would: exclusively, not
 * through a symlink, mode 0444 or 0555, mtime 1; the hash is that of the NAR of the object.
 *
 * @example
 *   const r = await addSingleFile('/tmp/big.iso', `${store}/…-strata-tmp-1-0`);
 *   if (r === null) { … not a regular file (any more): take the general path … }
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { Hash } from '@strata/core/hash';
import { ioError } from '@strata/core/io-error';
import { singleFileNarFrame } from '@strata/core/nar';
import { copyHashFile } from '@strata/native';

// O_NONBLOCK: should a FIFO replace the file since it was checked, open must not hang.
const OPEN_SOURCE = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** File size from which `addSingleFile` pays (below it, the general path is as fast). */
export const NATIVE_COPY_AFTER = 1 << 20;

/**
 * Copies the regular file `source` to `target` in canonical form and returns the NAR hash and
 * size of the object; null (nothing created) when `source` is not a regular file once opened.
 */
export async function addSingleFile(
  source: string,
  target: string,
): Promise<{ narHash: Hash; narSize: number } | null> {
  let src: number;
  try {
    src = openSync(source, OPEN_SOURCE);
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOOP') return null; // a symlink now
    throw ioError('opening file', source, e);
  }
  try {
    let st: ReturnType<typeof fstatSync>;
    try {
      st = fstatSync(src);
    } catch (e) {
      throw ioError('getting status of', source, e);
    }
    if (!st.isFile()) return null;
    const executable = (st.mode & constants.S_IXUSR) !== 0;
    let dst: number;
    try {
      dst = openSync(target, CREATE, executable ? 0o555 : 0o444);
    } catch (e) {
      throw ioError('creating file', target, e);
    }
    try {
      const [head, tail] = singleFileNarFrame(st.size, executable);
      const digest = await copyHashFile(src, dst, st.size, head, tail, { source, target });
      return {
        narHash: new Hash('sha256', digest),
        narSize: head.length + st.size + tail.length,
      };
    } finally {
      closeSync(dst);
    }
  } finally {
    closeSync(src);
  }
}
