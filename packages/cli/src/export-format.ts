/**
 * The `nix-store --export` format (Nix 2.8 `Store::exportPaths`): for each path, references
 * before referrers, the number 1, the path's NAR, the magic 0x4558494e, the path, its
 * references (count, then each), its deriver (empty when unknown) and 0 (no legacy
 * signature); after the last path, 0. Numbers are 64-bit little-endian; strings are a length,
 * the bytes and zero padding to a multiple of 8.
 *
 * Reading holds at most 8 MiB of a NAR in memory: the path info a NAR needs comes after it, so
 * a bigger NAR is spooled to a temporary file, hashed on the way, and handed over as a stream.
 *
 * @example
 *   await writeAll(ctx.stdout, exportPaths(store, paths));
 *   for await (const item of readExport(ctx.stdin)) await store.addNar(item.info, item.nar());
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ByteStream,
  makePathInfo,
  type PathInfo,
  type Store,
  topoSortStorePaths,
} from '@strata/core';
import { strataError } from '@strata/core/errors';
import { createHasher, type Hasher } from '@strata/core/hash';
import { NarParser } from '@strata/core/nar';
import { StoreDir } from '@strata/core/store-path';

/** `EXIN`, Nix's `exportMagic`. */
const EXPORT_MAGIC = 0x4558494e;

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function str(s: string): Uint8Array {
  const bytes = Buffer.from(s, 'utf8');
  const padded = new Uint8Array(8 + bytes.length + ((8 - (bytes.length % 8)) % 8));
  padded.set(u64(bytes.length), 0);
  padded.set(bytes, 8);
  return padded;
}

/** The trailer that follows a path's NAR. */
function exportTrailer(info: PathInfo): Uint8Array {
  return Buffer.concat([
    u64(EXPORT_MAGIC),
    str(info.path),
    u64(info.references.length),
    ...info.references.map(str),
    str(info.deriver ?? ''),
    u64(0),
  ]);
}

/**
 * The export stream of `paths` (exactly these, not their closure), ordered references first.
 * A path whose contents no longer match its NAR hash fails with Nix's `hash of path '…' has
 * changed` (a stored all-zero hash means unknown and is not checked).
 */
export async function* exportPaths(
  store: Store,
  paths: Iterable<string>,
): AsyncGenerator<Uint8Array> {
  const sorted = (await topoSortStorePaths(store, paths)).reverse();
  for (const path of sorted) {
    const info = await store.queryPathInfo(path);
    yield u64(1);
    const hasher = createHasher(info.narHash.algorithm);
    for await (const chunk of store.narFromPath(path)) {
      hasher.update(chunk);
      yield chunk;
    }
    const got = hasher.digest();
    const unknown = info.narHash.bytes.every((b) => b === 0);
    if (!unknown && !got.equals(info.narHash)) {
      throw strataError('STRATA_ERR_CLI_EXPORT_HASH_CHANGED', {
        path,
        from: info.narHash.toString('base32'),
        to: got.toString('base32'),
      });
    }
    yield exportTrailer(info);
  }
  yield u64(0);
}

/**
 * Pulls exact byte counts out of a chunked stream. Keeps one pending chunk and an offset into
 * it: taking bytes never copies the rest (an export is mostly many small reads).
 */
class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** The next bytes (what is pending first), or undefined at the end of the input. */
  async chunk(): Promise<Uint8Array | undefined> {
    if (this.#pos < this.#buf.length) {
      const b = this.#buf.subarray(this.#pos);
      this.#pos = this.#buf.length;
      return b;
    }
    const r = await this.#it.next();
    return r.done ? undefined : r.value;
  }

  /** Puts back the tail of the chunk `chunk()` returned last. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#buf = bytes;
    this.#pos = 0;
  }

  async exactly(n: number): Promise<Uint8Array> {
    if (this.#buf.length - this.#pos >= n) {
      const b = this.#buf.subarray(this.#pos, this.#pos + n);
      this.#pos += n;
      return b;
    }
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < n) {
      const c = await this.chunk();
      if (c === undefined) throw strataError('STRATA_ERR_NAR_UNEXPECTED_EOF', {});
      const take = Math.min(n - have, c.length);
      parts.push(c.subarray(0, take));
      this.unread(c.subarray(take));
      have += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  async u64(): Promise<number> {
    const b = await this.exactly(8);
    // Two 32-bit halves: no DataView or BigInt per number (an export is mostly numbers).
    const lo = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    const hi = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
    return hi * 0x1_0000_0000 + lo;
  }

  async string(): Promise<string> {
    const len = await this.u64();
    const b = await this.exactly(len + ((8 - (len % 8)) % 8));
    return Buffer.from(b.buffer, b.byteOffset, len).toString('utf8');
  }

  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

/** NARs up to this size are kept in memory; bigger ones are spooled to a file. */
const IN_MEMORY_NAR = 8 << 20;

/**
 * Takes the NAR at the head of `reader`, hashing it; the rest stays unread. Small NARs end up
 * in memory, big ones in `file` (written as they come, so memory stays bounded).
 */
async function takeNar(
  reader: ByteReader,
  file: string,
  hasher: Hasher,
): Promise<{ chunks: Uint8Array[] } | { file: string }> {
  const parser = new NarParser({ trailing: 'stop' });
  const ignore = () => {};
  let chunks: Uint8Array[] | undefined = [];
  let held = 0;
  let out: ReturnType<typeof createWriteStream> | undefined;
  try {
    while (!parser.done) {
      const chunk = await reader.chunk();
      if (chunk === undefined) {
        parser.end();
        break;
      }
      const used = parser.write(chunk, ignore);
      const nar = chunk.subarray(0, used);
      hasher.update(nar);
      reader.unread(chunk.subarray(used));
      if (chunks !== undefined) {
        // Copied: the input's buffers are reused by the stream they come from.
        chunks.push(Uint8Array.from(nar));
        held += nar.length;
        if (held <= IN_MEMORY_NAR) continue;
        out = createWriteStream(file);
        for (const c of chunks) if (!out.write(c)) await once(out, 'drain');
        chunks = undefined;
      } else if (!out!.write(nar)) {
        await once(out!, 'drain');
      }
    }
  } finally {
    // Also on failure: the file must be closed before its directory is removed.
    if (out !== undefined) {
      out.end();
      await once(out, 'close');
    }
  }
  return chunks !== undefined ? { chunks } : { file };
}

/** The NAR as a stream; a spooled one is opened only when read (never after it is gone). */
async function* narStream(nar: { chunks: Uint8Array[] } | { file: string }): ByteStream {
  if ('chunks' in nar) {
    yield* nar.chunks;
    return;
  }
  yield* createReadStream(nar.file, { highWaterMark: 1 << 20 });
}

/** One path read from an export stream. */
export interface ExportedPath {
  readonly info: PathInfo;
  /** The path's NAR (readable once, before the next path is read). */
  nar(): ByteStream;
}

/**
 * The paths of an export stream, in order. Fails with Nix's messages on a stream that is not
 * an export (`input doesn't look like …`), a bad magic, or a malformed NAR; store paths are
 * validated against `storeDir`.
 */
export async function* readExport(
  source: AsyncIterable<Uint8Array>,
  storeDir: string,
): AsyncGenerator<ExportedPath> {
  const dir = new StoreDir(storeDir);
  const reader = new ByteReader(source);
  const spool = mkdtempSync(join(tmpdir(), 'strata-import-'));
  try {
    for (let n = 0; ; n++) {
      const marker = await reader.u64();
      if (marker === 0) return;
      if (marker !== 1) throw strataError('STRATA_ERR_CLI_EXPORT_BAD_FORMAT', {});
      const file = join(spool, String(n));
      const hasher = createHasher('sha256');
      const nar = await takeNar(reader, file, hasher);
      if ((await reader.u64()) !== EXPORT_MAGIC)
        throw strataError('STRATA_ERR_CLI_EXPORT_BAD_MAGIC', {});
      const path = dir.print(dir.parsePath(await reader.string()));
      const count = await reader.u64();
      const references: string[] = [];
      for (let i = 0; i < count; i++)
        references.push(dir.print(dir.parsePath(await reader.string())));
      const deriver = await reader.string();
      // A legacy signature may follow; Nix ignores it.
      if ((await reader.u64()) === 1) await reader.string();
      const info = makePathInfo({
        path,
        narHash: hasher.digest(),
        narSize: hasher.size,
        references,
        ...(deriver === '' ? {} : { deriver: dir.print(dir.parsePath(deriver)) }),
      });
      yield { info, nar: () => narStream(nar) };
      if ('file' in nar) rmSync(file, { force: true });
    }
  } finally {
    rmSync(spool, { recursive: true, force: true });
    await reader.close();
  }
}
