/**
 * Checking a NAR on its way into a store, written once for every plugin: the bytes pass
 * through unchanged while they are parsed (a malformed NAR fails with the parser's message)
 * and hashed; at the end the SHA-256 and the size must match the path info, as Nix demands
 * when importing (`hash mismatch importing path …`). Nothing is buffered here.
 *
 * @example
 *   for await (const chunk of checkNar(info, nar)) sink.write(chunk);  // throws on mismatch
 */
import { strataError } from '../errors.js';
import { createHasher } from '../hash/hasher.js';
import { NarParser } from '../nar/parse.js';
import type { PathInfo } from '../path-info/path-info.js';
import type { ByteStream } from './types.js';

const ignore = (): void => {};

/** Passes `nar` through, failing at the end unless it is a valid NAR matching `info`. */
export async function* checkNar(
  info: Pick<PathInfo, 'path' | 'narHash' | 'narSize'>,
  nar: ByteStream,
): AsyncGenerator<Uint8Array, void, undefined> {
  const parser = new NarParser();
  const hasher = createHasher(info.narHash.algorithm);
  for await (const chunk of nar) {
    parser.write(chunk, ignore);
    hasher.update(chunk);
    yield chunk;
  }
  parser.end();
  const got = hasher.digest();
  if (!got.equals(info.narHash)) {
    throw strataError('STRATA_ERR_STORE_NAR_HASH_MISMATCH', {
      path: info.path,
      specified: info.narHash.toString('base32'),
      got: got.toString('base32'),
    });
  }
  if (info.narSize !== 0 && hasher.size !== info.narSize) {
    throw strataError('STRATA_ERR_STORE_NAR_SIZE_MISMATCH', {
      path: info.path,
      specified: String(info.narSize),
      got: String(hasher.size),
    });
  }
}

/** Reads a checked NAR into memory (for small stores and tests). */
export async function readCheckedNar(
  info: Pick<PathInfo, 'path' | 'narHash' | 'narSize'>,
  nar: ByteStream,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of checkNar(info, nar)) chunks.push(Uint8Array.from(chunk));
  return Buffer.concat(chunks);
}
