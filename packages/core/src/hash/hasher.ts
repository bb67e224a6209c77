/**
 * Computing hashes: an incremental hasher, one-shot hashing of bytes, of a stream, and of a
 * file's contents ("flat", like `nix-hash --flat`). All use `node:crypto`.
 *
 * @example
 *   const h = createHasher('sha256');
 *   for await (const chunk of source) h.update(chunk);
 *   const hash = h.digest();                       // h.size = bytes hashed
 *   await hashFile('sha512', '/tmp/f');            // = nix-hash --flat --type sha512 /tmp/f
 */
import { createHash, type Hash as NodeHash } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ioError } from '../io-error.js';
import type { HashAlgorithm } from './algorithm.js';
import { Hash } from './hash.js';

/** An incremental hash computation; `digest()` may be called once. */
export interface Hasher {
  readonly algorithm: HashAlgorithm;
  /** Number of bytes fed so far. */
  readonly size: number;
  /** Feeds `chunk`; the hasher does not keep it, so the caller may reuse the buffer. */
  update(chunk: Uint8Array): this;
  /** Finishes the computation. */
  digest(): Hash;
}

class NodeHasher implements Hasher {
  readonly algorithm: HashAlgorithm;
  size = 0;
  readonly #hash: NodeHash;

  constructor(algorithm: HashAlgorithm) {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): this {
    this.#hash.update(chunk);
    this.size += chunk.length;
    return this;
  }

  digest(): Hash {
    return new Hash(this.algorithm, new Uint8Array(this.#hash.digest()));
  }
}

/** Starts an incremental hash of `algorithm`. */
export function createHasher(algorithm: HashAlgorithm): Hasher {
  return new NodeHasher(algorithm);
}

/** Hashes `data` (a string is hashed as its UTF-8 bytes). */
export function hashBytes(algorithm: HashAlgorithm, data: Uint8Array | string): Hash {
  const digest = createHash(algorithm).update(data).digest();
  return new Hash(algorithm, new Uint8Array(digest));
}

/** Hashes everything `source` yields. */
export async function hashStream(
  algorithm: HashAlgorithm,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Hash> {
  const hasher = createHasher(algorithm);
  for await (const chunk of source) hasher.update(chunk);
  return hasher.digest();
}

const READ_BUFFER_SIZE = 1 << 20;
// Read buffers are pooled: hashing many files must not allocate 2 MiB for each.
const bufferPool: Buffer[] = [];

function takeBuffer(): Buffer {
  return bufferPool.pop() ?? Buffer.allocUnsafe(READ_BUFFER_SIZE);
}

function giveBuffer(buffer: Buffer): void {
  if (bufferPool.length < 8) bufferPool.push(buffer);
}

/**
 * Hashes the contents of the file at `path` (following symlinks), like
 * `nix-hash --flat --type <algorithm> <path>`. Reads 1 MiB at a time into two alternating
 * buffers, so the next read runs while the current block is hashed.
 */
export async function hashFile(algorithm: HashAlgorithm, path: string): Promise<Hash> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError('opening file', path, e);
  }
  const hasher = createHash(algorithm);
  const buffers = [takeBuffer(), takeBuffer()];
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    // For a regular file a short read is the end; pipes and devices are read until 0.
    const regular = fstatSync(handle.fd).isFile();
    let which = 0;
    pending = handle.read(buffers[0], 0, READ_BUFFER_SIZE, null);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      const current = buffers[which];
      which ^= 1;
      if (!regular || bytesRead === READ_BUFFER_SIZE) {
        pending = handle.read(buffers[which], 0, READ_BUFFER_SIZE, null);
      }
      hasher.update(current.subarray(0, bytesRead));
      if (pending === undefined) break;
    }
  } catch (e) {
    throw ioError('reading file', path, e);
  } finally {
    await pending?.catch(() => undefined);
    await handle.close();
    for (const b of buffers) giveBuffer(b);
  }
  return new Hash(algorithm, new Uint8Array(hasher.digest()));
}
