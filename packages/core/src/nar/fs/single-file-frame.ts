/**
 * The NAR around a single regular file: what comes before its contents (magic, node header,
 * executable flag, contents length) and after them (padding, closing paren). Hashing
 * header ‖ contents ‖ trailer gives the NAR hash of a one-file store object without building
 * the NAR, e.g. when the contents are copied and hashed natively.
 *
 * @example
 *   const [head, tail] = singleFileNarFrame(5, false);   // NAR = head ‖ 'hello' ‖ tail
 */
import { paddingOf } from '../format.js';
import { NAR_TOKENS, writeU64 } from '../write.js';

/** The bytes before and after the contents in the NAR of a `size`-byte regular file. */
export function singleFileNarFrame(size: number, executable: boolean): [Buffer, Buffer] {
  const length = Buffer.alloc(8);
  writeU64(length, 0, size);
  const head = Buffer.concat([
    NAR_TOKENS.magic,
    NAR_TOKENS.regular,
    ...(executable ? [NAR_TOKENS.executable] : []),
    NAR_TOKENS.contents,
    length,
  ]);
  return [head, Buffer.concat([Buffer.alloc(paddingOf(size)), NAR_TOKENS.close])];
}
