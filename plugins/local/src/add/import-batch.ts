/**
 * Importing NARs whose store paths are known (`addNar`, `addNars`), in batches: each object is
 * written directly at its final location under its path lock, as Nix 2.8's
 * `LocalStore::addToStore(info, source)` does, and the objects written are registered
 * together, in one transaction per batch, before their locks are released.
 *
 * Invariants, as with one `addNar` at a time:
 * - a path is protected by a temporary root before anything is written, and locked while its
 *   object is written and until it is registered;
 * - a path is valid only once its object is complete and checked (hash, size, content
 *   address); a crash leaves at most unregistered objects, which the next add of that path or
 *   the garbage collector removes;
 * - an object may refer to one earlier in the same batch;
 * - on failure, the objects before the failing one become valid and the failing one leaves no
 *   files (its lock file is removed too).
 *
 * Locks are taken one path at a time as objects arrive; while holding some, the importer
 * never waits for another (it registers its batch first, releasing them), so two importers
 * cannot deadlock. A batch is bounded by its number of paths, bytes and age, which keeps the
 * locks held, open descriptors and work lost to a crash small.
 *
 * @example
 *   const importer = new NarImporter(host, { repair: false });
 *   try {
 *     for (const { info, nar } of items) await importer.add(info, nar);
 *   } finally {
 *     await importer.flush();
 *   }
 *   importer.takeValid();   // the paths now valid, in order
 */
import { lstatSync, renameSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { strataError } from '@strata/core/errors';
import { ioError } from '@strata/core/io-error';
import type { PathInfo } from '@strata/core/path-info';
import type { ByteStream } from '@strata/core/store';
import { type ContentAddress, renderContentAddress } from '@strata/core/store-path';
import { deleteRealPath } from '../gc/delete-path.js';
import { deleteIdleLockFile, type HeldLock } from '../locks/lock-file.js';
import { lockPath, tryLockPath } from '../locks/path-locks.js';
import { ObjectSink, type ObjectSinkOptions, type ObjectSinkResult } from './object-sink.js';

/** What the importer needs from its store. */
export interface NarImportHost {
  /** Where a store path is on disk. */
  realPath(storePath: string): string;
  /** Fails unless each of `references` is valid (the importer leaves out its batch's own). */
  checkReferences(path: string, references: readonly string[]): Promise<void>;
  /** Fails when `info` could not be registered (bad paths, a content address that does not hold). */
  checkInfo(info: PathInfo): void;
  isValidPath(path: string): Promise<boolean>;
  addTempRoot(path: string): Promise<void>;
  /** Called when the path of an object to import is valid already. */
  onAlreadyValid(path: string): Promise<void>;
  /** The last step on a complete, checked object before it is registered (auto-optimise). */
  finishObject(path: string): Promise<void>;
  /** Registers `infos` in one transaction. */
  register(infos: readonly PathInfo[]): Promise<void>;
  /** Fault injection for the crash tests (`after-write`, `before-register`, `after-register`). */
  crashPoint(point: string): void;
}

/** When a batch is registered: whichever limit is reached first. */
export interface BatchLimits {
  readonly paths: number;
  /** NAR bytes written. */
  readonly bytes: number;
  /** Milliseconds since the batch's first object, checked as each object completes. */
  readonly ageMs: number;
}

/**
 * 512 paths (well under the usual 1024 descriptors, one lock file each); 64 MiB; one second,
 * so a slow stream does not keep complete objects invalid and locked for long.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { paths: 512, bytes: 64 << 20, ageMs: 1000 };

/** Lock files left to delete at `finish` before some are deleted at once (memory bound). */
const MAX_IDLE_LOCK_FILES = 1 << 16;

/** Paths remembered as registered by this importer (memory bound; forgetting is safe). */
const MAX_KNOWN_VALID = 1 << 17;

/** Chunks written between two turns of the event loop. */
const CHUNKS_PER_TURN = 16;

/** A written, checked object waiting for its batch to be registered. */
interface WrittenObject {
  readonly info: PathInfo;
  readonly lock: HeldLock;
  /** Its files, removed if registering fails; none for a repair (the path was valid). */
  readonly real: string | undefined;
}

/** One imported path since the last registration: written now, or valid already. */
interface Entry {
  readonly path: string;
  readonly object?: WrittenObject;
}

/** Imports objects one after the other, registering them in batches. */
export class NarImporter {
  readonly #host: NarImportHost;
  readonly #repair: boolean;
  readonly #limits: BatchLimits;
  #entries: Entry[] = [];
  /** Paths written in the current batch (referable by later objects). */
  readonly #written = new Set<string>();
  /**
   * Paths this importer registered: valid without asking the database, as their temporary
   * roots keep any collector (and `--delete`) away from them.
   */
  readonly #known = new Set<string>();
  #bytes = 0;
  #startedAt = 0;
  #valid: string[] = [];
  /** Lock files released but not deleted yet (`deferLockDeletion`). */
  readonly #idleLockFiles: string[] | undefined;

  /**
   * With `deferLockDeletion`, the lock files of registered paths are released at once but
   * deleted only by `finish`. Deleting a file frees its inode, and on ext4 without a journal
   * every file created in the next ~30 s scans past the recently freed inodes of its group:
   * deleting lock files while creating objects makes each create slower as the import goes on.
   */
  constructor(
    host: NarImportHost,
    options: {
      readonly repair?: boolean;
      readonly limits?: BatchLimits;
      readonly deferLockDeletion?: boolean;
    } = {},
  ) {
    this.#host = host;
    this.#repair = options.repair === true;
    this.#limits = options.limits ?? DEFAULT_BATCH_LIMITS;
    this.#idleLockFiles = options.deferLockDeletion ? [] : undefined;
  }

  /**
   * Imports one object: `info.path` canonical, its signatures checked already. The NAR is read
   * to its end, also when the path is valid already. Fails with `addNar`'s errors, leaving no
   * files for this object; the objects before it stay pending (`flush` registers them).
   */
  async add(info: PathInfo, nar: ByteStream): Promise<void> {
    const host = this.#host;
    const path = info.path;
    // The same path twice in one stream: the second one finds it valid, as Nix would.
    if (this.#written.has(path)) await this.flush();
    await host.checkReferences(
      path,
      info.references.filter((r) => r !== path && !this.#written.has(r) && !this.#known.has(r)),
    );
    host.checkInfo(info);
    await host.addTempRoot(path);
    if (!this.#repair && (this.#known.has(path) || (await host.isValidPath(path)))) {
      return this.#skip(path, nar);
    }
    const lock = await this.#lock(path);
    let object: WrittenObject;
    try {
      if (!this.#repair && (await host.isValidPath(path))) {
        lock.release({ deleteFile: true });
        return this.#skip(path, nar);
      }
      const written = await this.#write(info, nar);
      object = { info: written, lock, real: this.#repair ? undefined : host.realPath(path) };
    } catch (e) {
      lock.release({ deleteFile: true });
      throw e;
    }
    if (this.#written.size === 0) this.#startedAt = Date.now();
    this.#entries.push({ path, object });
    this.#written.add(path);
    this.#bytes += object.info.narSize;
    const limits = this.#limits;
    if (
      this.#written.size >= limits.paths ||
      this.#bytes >= limits.bytes ||
      Date.now() - this.#startedAt >= limits.ageMs
    ) {
      await this.flush();
    }
  }

  /**
   * Registers the objects written since the last call and releases their locks. When that
   * fails, they are registered one at a time: those before the one that fails become valid,
   * that one and the rest are removed, and its error is thrown.
   */
  async flush(): Promise<void> {
    const entries = this.#entries;
    if (entries.length === 0) return;
    this.#entries = [];
    this.#written.clear();
    this.#bytes = 0;
    const objects = entries.flatMap((e) => (e.object ? [e.object] : []));
    let registered = 0;
    try {
      if (objects.length > 0) {
        this.#host.crashPoint('before-register');
        try {
          await this.#host.register(objects.map((o) => o.info));
          registered = objects.length;
        } catch (e) {
          if (objects.length === 1) throw e;
          for (const o of objects) {
            await this.#host.register([o.info]);
            registered++;
          }
        }
        this.#host.crashPoint('after-register');
      }
    } finally {
      const idle = this.#idleLockFiles;
      if (this.#known.size + registered > MAX_KNOWN_VALID) this.#known.clear();
      for (const [i, o] of objects.entries()) {
        if (i < registered) this.#known.add(o.info.path);
        if (i < registered && idle !== undefined) {
          o.lock.release({ deleteFile: false });
          idle.push(o.lock.path);
        } else {
          if (i >= registered && o.real !== undefined) removeQuietly(o.real);
          o.lock.release({ deleteFile: true });
        }
      }
      if (idle !== undefined && idle.length >= MAX_IDLE_LOCK_FILES) this.#deleteIdleLockFiles();
      const failed = objects[registered];
      const end =
        failed === undefined ? entries.length : entries.findIndex((e) => e.object === failed);
      for (let i = 0; i < end; i++) this.#valid.push(entries[i]!.path);
    }
  }

  /** Registers what is pending (`flush`) and deletes the lock files left (`deferLockDeletion`). */
  async finish(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#deleteIdleLockFiles();
    }
  }

  #deleteIdleLockFiles(): void {
    const idle = this.#idleLockFiles;
    if (idle === undefined) return;
    for (const path of idle) deleteIdleLockFile(path);
    idle.length = 0;
  }

  /** The paths that became valid (or were valid already) since the last call, in order. */
  takeValid(): string[] {
    const valid = this.#valid;
    this.#valid = [];
    return valid;
  }

  /** A path valid already: its NAR is read past; it is reported in order with the batch. */
  async #skip(path: string, nar: ByteStream): Promise<void> {
    for await (const _ of nar); // the caller's stream moves on to what follows the NAR
    await this.#host.onAlreadyValid(path);
    this.#entries.push({ path });
    if (this.#written.size === 0) await this.flush();
  }

  /** The path's lock; never waits while this importer holds others (no deadlock). */
  async #lock(path: string): Promise<HeldLock> {
    const real = (p: string) => this.#host.realPath(p);
    if (this.#written.size > 0) {
      const lock = tryLockPath(path, real);
      if (lock !== undefined) return lock;
      await this.flush();
    }
    return lockPath(path, real);
  }

  /**
   * Writes the object at its real location (removing a leftover of a crashed add first) and
   * checks it against `info`; on failure removes what was written. Its info as registered.
   *
   * A repair writes beside the damaged copy (same hash part, so the path's temporary root
   * protects it from the collector) and swaps it in only once checked: a bad NAR must leave
   * the store as it was, not a valid path without files.
   */
  async #write(info: PathInfo, nar: ByteStream): Promise<PathInfo> {
    const path = info.path;
    const real = this.#host.realPath(path);
    const target = this.#repair ? `${real}.strata-repair` : real;
    if (lstatSync(target, { throwIfNoEntry: false }) !== undefined) deleteRealPath(target);
    const sink = new ObjectSink(target, caSinkOptions(info.ca));
    try {
      let turns = 0;
      for await (const chunk of nar) {
        sink.write(chunk);
        if (++turns % CHUNKS_PER_TURN === 0) await yieldToEventLoop();
      }
      const got = sink.end();
      if (!got.narHash.equals(info.narHash)) {
        throw strataError('STRATA_ERR_STORE_NAR_HASH_MISMATCH', {
          path,
          specified: info.narHash.toString('base32'),
          got: got.narHash.toString('base32'),
        });
      }
      if (info.narSize !== 0 && got.narSize !== info.narSize) {
        throw strataError('STRATA_ERR_STORE_NAR_SIZE_MISMATCH', {
          path,
          specified: String(info.narSize),
          got: String(got.narSize),
        });
      }
      if (info.ca !== undefined && !info.references.includes(path)) {
        checkContentAddress(path, info.ca, got);
      }
      this.#host.crashPoint('after-write');
      if (target !== real) {
        if (lstatSync(real, { throwIfNoEntry: false }) !== undefined) deleteRealPath(real);
        try {
          renameSync(target, real);
        } catch (e) {
          throw ioError('renaming', target, e);
        }
      }
      await this.#host.finishObject(path);
      return info.narSize === got.narSize ? info : { ...info, narSize: got.narSize };
    } catch (e) {
      sink.abort();
      removeQuietly(target);
      throw e;
    }
  }
}

/** Removes a failed object; a failure to remove leaves garbage, not a wrong store. */
function removeQuietly(real: string): void {
  try {
    deleteRealPath(real);
  } catch {
    // The collector removes an unregistered object later.
  }
}

function caSinkOptions(ca: ContentAddress | undefined): ObjectSinkOptions {
  if (ca === undefined) return {};
  if (ca.method === 'recursive') return { narAlgorithm: ca.hash.algorithm };
  return { flatAlgorithm: ca.hash.algorithm };
}

/** The content address's hash must be the hash of what arrived (Nix's `ca hash mismatch`). */
function checkContentAddress(path: string, ca: ContentAddress, got: ObjectSinkResult): void {
  const actual =
    ca.method === 'recursive'
      ? ca.hash.algorithm === 'sha256'
        ? got.narHash
        : got.narHashOther
      : got.flatHash;
  if (actual?.equals(ca.hash)) return;
  throw strataError('STRATA_ERR_LOCAL_CA_MISMATCH', {
    path,
    specified: `${ca.hash.algorithm}:${ca.hash.toString('base32', false)}`,
    got: actual
      ? `${actual.algorithm}:${actual.toString('base32', false)}`
      : `(not a regular file: ${renderContentAddress(ca)})`,
  });
}
