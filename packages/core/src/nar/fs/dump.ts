/**
 * File system → NAR bytes, as `nix-store --dump` writes them (spec store-format §3.2, §3.5):
 * regular files (executable iff `S_IXUSR`), symlinks (target verbatim), directories with
 * their entries sorted byte-wise; sockets, FIFOs and devices are refused.
 *
 * Built for speed: the walk is synchronous in bounded steps, output goes into 1 MiB chunks
 * that file data is read into directly (one copy, kernel → chunk), many small files share a
 * chunk, and names stay `Buffer`s end to end (any bytes, no re-encoding).
 *
 * @example
 *   for await (const chunk of dumpPath('/tmp/tree')) out.write(chunk);
 *   const { hash, size } = await narHashOfPath('/tmp/tree');   // = nix-hash --type sha256
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  type Stats,
} from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { strataError } from '../../errors.js';
import type { HashAlgorithm } from '../../hash/algorithm.js';
import { Hash } from '../../hash/hash.js';
import { ioError } from '../../io-error.js';
import { paddingOf } from '../format.js';
import { NAR_TOKENS, writeU64 } from '../write.js';
import { WorkerHasher } from './worker-hasher.js';

/** Size of the chunks `dumpPath` yields (the last one may be shorter). */
export const DUMP_CHUNK_SIZE = 1 << 20;

const SLASH = Buffer.from('/');
const ZEROS = Buffer.alloc(8);
// O_NONBLOCK: should a FIFO replace a file between readdir and open, open must not hang.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

type Kind = 'regular' | 'directory' | 'symlink' | 'other';

interface DirFrame {
  readonly path: Buffer;
  readonly entries: Dirent<Buffer>[];
  index: number;
}

function kindOf(st: Stats | Dirent<Buffer>): Kind {
  if (st.isFile()) return 'regular';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function show(path: Buffer): string {
  return path.toString();
}

/**
 * The dumper as a pull source: each `next()` does synchronous work until a chunk is complete
 * and returns it (a fresh buffer the caller may keep), or null after the last one. Call
 * `close()` when stopping early.
 */
export class FsNarDumper {
  readonly #root: Buffer;
  readonly #stack: DirFrame[] = [];
  /** Complete chunks not yet returned, and the buffers they are views of. */
  readonly #ready: Buffer[] = [];
  readonly #readyBuffers: Buffer[] = [];
  /** With `reuseBuffers`: free buffers, and the one behind the chunk returned last. */
  readonly #spare: Buffer[] | null;
  #lent: Buffer | null = null;
  readonly #allocate: () => Buffer;
  #out: Buffer;
  #pos = 0;
  #fd = -1;
  #filePath: Buffer = ZEROS;
  #fileSize = 0;
  #fileLeft = 0;
  #state: 'start' | 'walk' | 'done' = 'start';

  /**
   * With `reuseBuffers`, a returned chunk is only valid until the next call to `next()` (no
   * allocation per chunk, for consumers that hash or write synchronously); otherwise every
   * chunk is a fresh buffer the caller may keep. `allocate` supplies the chunk buffers instead
   * (each `DUMP_CHUNK_SIZE` bytes), e.g. from a pool the consumer refills.
   */
  constructor(
    path: string | Buffer,
    options: { reuseBuffers?: boolean; allocate?: () => Buffer } = {},
  ) {
    this.#root = typeof path === 'string' ? Buffer.from(path) : path;
    this.#allocate = options.allocate ?? (() => Buffer.allocUnsafe(DUMP_CHUNK_SIZE));
    this.#out = this.#allocate();
    this.#spare = options.reuseBuffers ? [] : null;
  }

  /** The next chunk of the NAR, or null when it is complete. */
  next(): Buffer | null {
    if (this.#lent !== null) {
      // Asking for the next chunk releases the previous one (a handful of buffers circulate).
      this.#spare!.push(this.#lent);
      this.#lent = null;
    }
    try {
      while (this.#ready.length === 0 && this.#state !== 'done') this.#step();
    } catch (e) {
      this.close();
      throw e;
    }
    const chunk = this.#ready.shift() ?? null;
    const buffer = this.#readyBuffers.shift();
    if (this.#spare !== null && buffer !== undefined) this.#lent = buffer;
    return chunk;
  }

  /** Releases the open file, if any (after an error or when abandoning the dump). */
  close(): void {
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      closeSync(fd);
    }
    this.#state = 'done';
  }

  #step(): void {
    if (this.#fd >= 0) {
      this.#pumpFile();
      return;
    }
    if (this.#state === 'start') {
      this.#state = 'walk';
      this.#put(NAR_TOKENS.magic);
      let st: Stats;
      try {
        st = lstatSync(this.#root);
      } catch (e) {
        throw ioError('getting status of', show(this.#root), e);
      }
      this.#node(this.#root, kindOf(st));
      return;
    }
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) {
      this.#state = 'done';
      this.#flush();
      return;
    }
    if (top.index < top.entries.length) {
      const entry = top.entries[top.index++];
      const name = entry.name;
      this.#put(NAR_TOKENS.entryName);
      this.#string(name);
      this.#put(NAR_TOKENS.node);
      this.#node(Buffer.concat([top.path, SLASH, name]), kindOf(entry));
      return;
    }
    this.#stack.pop();
    this.#closeNode();
  }

  #node(path: Buffer, kind: Kind): void {
    switch (kind) {
      case 'regular':
        this.#openFile(path);
        return;
      case 'directory':
        this.#openDirectory(path);
        return;
      case 'symlink': {
        let target: Buffer;
        try {
          target = readlinkSync(path, { encoding: 'buffer' });
        } catch (e) {
          throw ioError('reading symbolic link', show(path), e);
        }
        this.#put(NAR_TOKENS.symlink);
        this.#string(target);
        this.#closeNode();
        return;
      }
      default:
        throw strataError('STRATA_ERR_IO_UNSUPPORTED_TYPE', { path: show(path) });
    }
  }

  #openDirectory(path: Buffer): void {
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(path, { encoding: 'buffer', withFileTypes: true });
    } catch (e) {
      throw ioError('opening directory', show(path), e);
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    this.#put(NAR_TOKENS.directory);
    this.#stack.push({ path, entries, index: 0 });
  }

  #openFile(path: Buffer): void {
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (e) {
      // The entry turned into a symlink since it was listed: dump what is there now.
      if ((e as { code?: string }).code === 'ELOOP') {
        this.#node(path, 'symlink');
        return;
      }
      throw ioError('opening file', show(path), e);
    }
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (e) {
      closeSync(fd);
      throw ioError('getting status of', show(path), e);
    }
    if (!st.isFile()) {
      closeSync(fd);
      this.#node(path, st.isDirectory() ? 'directory' : 'other');
      return;
    }
    const size = st.size;
    this.#put(NAR_TOKENS.regular);
    if (st.mode & constants.S_IXUSR) this.#put(NAR_TOKENS.executable);
    this.#put(NAR_TOKENS.contents);
    this.#u64(size);
    this.#fd = fd;
    this.#filePath = path;
    this.#fileSize = size;
    this.#fileLeft = size;
    this.#pumpFile();
  }

  /** Reads as much of the open file as fits into the current chunk. */
  #pumpFile(): void {
    while (this.#fileLeft > 0) {
      if (this.#pos === this.#out.length) {
        this.#flush();
        return;
      }
      const want = Math.min(this.#fileLeft, this.#out.length - this.#pos);
      let n: number;
      try {
        n = readSync(this.#fd, this.#out, this.#pos, want, null);
      } catch (e) {
        throw ioError('reading file', show(this.#filePath), e);
      }
      if (n === 0) {
        // The file shrank after its size was written; Nix fails the same way.
        throw strataError('STRATA_ERR_IO_FAILED', {
          op: 'reading file',
          path: show(this.#filePath),
          reason: 'unexpected end-of-file',
        });
      }
      this.#pos += n;
      this.#fileLeft -= n;
    }
    const fd = this.#fd;
    this.#fd = -1;
    closeSync(fd);
    this.#put(ZEROS.subarray(0, paddingOf(this.#fileSize)));
    this.#closeNode();
  }

  #closeNode(): void {
    this.#put(this.#stack.length > 0 ? NAR_TOKENS.closeTwice : NAR_TOKENS.close);
  }

  #string(s: Buffer): void {
    this.#u64(s.length);
    this.#put(s);
    this.#put(ZEROS.subarray(0, paddingOf(s.length)));
  }

  #u64(n: number): void {
    if (this.#pos + 8 > this.#out.length) this.#flush();
    writeU64(this.#out, this.#pos, n);
    this.#pos += 8;
  }

  #put(bytes: Uint8Array): void {
    // Tokens, names and targets are small (≤ 4 KiB): start a new chunk rather than split one.
    if (this.#pos + bytes.length > this.#out.length) this.#flush();
    this.#out.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  #flush(): void {
    if (this.#pos === 0) return;
    this.#ready.push(this.#out.subarray(0, this.#pos));
    this.#readyBuffers.push(this.#out);
    this.#out = this.#spare?.pop() ?? this.#allocate();
    this.#pos = 0;
  }
}

/**
 * The NAR serialisation of the file system object at `path` (not following a symlink at
 * `path` itself), in chunks of up to 1 MiB. By default the consumer may keep every chunk; with
 * `reuseBuffers` a chunk is only valid until the next one is asked for (faster: no fresh
 * memory per MiB; right for a sink that copies or writes synchronously, like a hash or
 * `process.stdout` on Linux).
 */
export async function* dumpPath(
  path: string | Buffer,
  options: { reuseBuffers?: boolean } = {},
): AsyncGenerator<Buffer, void, undefined> {
  const dumper = new FsNarDumper(path, options);
  try {
    for (let c = dumper.next(); c !== null; c = dumper.next()) yield c;
  } finally {
    dumper.close();
  }
}

/** The NAR hash and size of a path. */
export interface NarHashResult {
  readonly hash: Hash;
  /** NAR size in bytes. */
  readonly size: number;
}

/** Chunks produced between two turns of the event loop (keeps a server responsive). */
const CHUNKS_PER_TURN = 8;

/** Tuning of `narHashOfPath`. */
export interface NarHashOptions {
  /**
   * Once the NAR is this big, hashing moves to a worker thread (default 16 MiB; `Infinity`
   * keeps it on this thread).
   */
  offloadAfterBytes?: number;
}

/**
 * Hashes the NAR of `path` while it is produced (nothing is materialised): the `narHash` and
 * `narSize` of §3.5, or with another algorithm the recursive hash of `nix-hash --type <algo>`.
 *
 * Small NARs are hashed right here; once a NAR passes 16 MiB, hashing moves to a worker thread
 * so that reading the file system and hashing use two cores.
 */
export async function narHashOfPath(
  path: string | Buffer,
  algorithm: HashAlgorithm = 'sha256',
  options: NarHashOptions = {},
): Promise<NarHashResult> {
  const offloadAfter = options.offloadAfterBytes ?? 16 * DUMP_CHUNK_SIZE;
  let offload: WorkerHasher | null = null;
  // Without offloading, hash as the chunks come; else keep them (≤ offloadAfter bytes) until
  // it is clear whether the NAR is big enough to be worth a worker.
  const local = Number.isFinite(offloadAfter) ? null : createHash(algorithm);
  const dumper = new FsNarDumper(
    path,
    local !== null
      ? { reuseBuffers: true }
      : { allocate: () => offload?.takeBuffer() ?? Buffer.allocUnsafe(DUMP_CHUNK_SIZE) },
  );
  let held: Buffer[] | null = local === null ? [] : null;
  let size = 0;
  let turns = 0;
  try {
    for (let c = dumper.next(); c !== null; c = dumper.next()) {
      size += c.length;
      if (local !== null) {
        local.update(c);
      } else if (held !== null) {
        held.push(c);
        if (size < offloadAfter) continue;
        offload = new WorkerHasher(algorithm);
        for (const h of held) await offload.update(Buffer.from(h.buffer), h.length);
        held = null;
      } else {
        await offload!.update(Buffer.from(c.buffer), c.length);
      }
      // Lets the worker's returned buffers (and anything else) in.
      if (++turns % CHUNKS_PER_TURN === 0) await yieldToEventLoop();
    }
    let digest: Uint8Array;
    if (local !== null) {
      digest = new Uint8Array(local.digest());
    } else if (held !== null) {
      const hasher = createHash(algorithm);
      for (const h of held) hasher.update(h);
      digest = new Uint8Array(hasher.digest());
    } else {
      digest = await offload!.digest();
      offload = null;
    }
    return { hash: new Hash(algorithm, digest), size };
  } finally {
    dumper.close();
    if (offload !== null) await offload.abort();
  }
}
