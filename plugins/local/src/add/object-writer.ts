/**
 * NAR events → a store object on disk, created directly in its canonical form (spec
 * store-format §5.3): files 0444 or 0555, directories 0555 once their entries are in, mtime 1
 * everywhere (symlinks too), owned by the effective user because this process creates them. So
 * no second walk is needed to canonicalise.
 *
 * Safety as in core's `restorePath`: events are checked (valid NAR, sorted unique names), every
 * node is created exclusively and never through a symlink, so nothing outside `target` is ever
 * written. The caller restores into a temporary directory and removes it on failure.
 *
 * With `parallel`, small files are not written here but gathered into batches that the native
 * add-on creates on the thread pool, several at once (creating inodes is what a big tree spends
 * its time on); directories then get their final mode and mtime in `settle`, once every file
 * in them exists. The caller awaits `drain()` now and then (bounds the data in flight) and
 * `settle()` before `finish()`.
 *
 * @example
 *   const w = new CanonicalObjectWriter('/nix/store/add-123-0/x');
 *   parser.write(chunk, (e) => w.event(e));
 *   w.finish();
 */
import {
  chmodSync,
  closeSync,
  constants,
  futimesSync,
  lutimesSync,
  mkdirSync,
  openSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { strataError } from '@strata/core/errors';
import { ioError } from '@strata/core/io-error';
import { type NarEvent, NarEventChecker } from '@strata/core/nar';
import { FileBatch, writeFiles } from '@strata/native';

const SLASH = Buffer.from('/');
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Canonical mtime: one second after the epoch. */
const MTIME = 1;
/** Parallel mode: files up to this size go into batches (bigger ones are written here). */
const BATCH_FILE_MAX = 1 << 20;
/** A batch is sent once it has this many files or bytes. */
const BATCH_FILES = 64;
const BATCH_BYTES = 1 << 20;
/** Batches in flight, and their bytes, before `drain` waits. */
const MAX_BATCHES = 8;
const MAX_BATCH_BYTES = 4 << 20;

function escapes(name: Uint8Array): boolean {
  return (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) || name.indexOf(0x2f) >= 0;
}

/** Writes one store object from its NAR events. */
export class CanonicalObjectWriter {
  readonly #checker = new NarEventChecker();
  readonly #dirs: Buffer[] = [];
  #next: Buffer;
  #fd = -1;
  #file: Buffer;
  /** Bytes of regular files written (for progress). */
  written = 0;
  readonly #parallel: boolean;
  #batch = new FileBatch();
  /** Parallel mode: the current file goes into the batch. */
  #batching = false;
  readonly #inFlight = new Set<Promise<void>>();
  #inFlightBytes = 0;
  #failure: { error: unknown } | null = null;
  /** Parallel mode: directories to make read-only once their files exist (children first). */
  readonly #doneDirs: Buffer[] = [];

  constructor(target: string, options: { parallel?: boolean } = {}) {
    this.#next = Buffer.from(target);
    this.#file = this.#next;
    this.#parallel = options.parallel === true;
  }

  /** Applies one event. */
  event(e: NarEvent): void {
    if (e.type === 'entry' && escapes(e.name)) {
      throw strataError('STRATA_ERR_NAR_RESTORE_OUTSIDE', {
        path: Buffer.concat([this.#dirs[this.#dirs.length - 1]!, SLASH, e.name]).toString(),
      });
    }
    this.#checker.check(e);
    switch (e.type) {
      case 'directory':
        try {
          mkdirSync(this.#next, 0o755);
        } catch (err) {
          throw ioError('creating directory', this.#next.toString(), err);
        }
        this.#dirs.push(this.#next);
        return;
      case 'entry':
        this.#next = Buffer.concat([this.#dirs[this.#dirs.length - 1]!, SLASH, e.name]);
        return;
      case 'directory-end': {
        const dir = this.#dirs.pop()!;
        if (this.#parallel) {
          this.#doneDirs.push(dir);
          return;
        }
        try {
          chmodSync(dir, 0o555);
          utimesSync(dir, Date.now() / 1000, MTIME);
        } catch (err) {
          throw ioError('canonicalising', dir.toString(), err);
        }
        return;
      }
      case 'regular':
        if (this.#parallel && e.size <= BATCH_FILE_MAX) {
          this.#batch.add(this.#next, e.executable ? 0o555 : 0o444, e.size);
          this.#batching = true;
          return;
        }
        try {
          this.#fd = openSync(this.#next, CREATE, e.executable ? 0o555 : 0o444);
        } catch (err) {
          throw ioError('creating file', this.#next.toString(), err);
        }
        this.#file = this.#next;
        return;
      case 'contents': {
        const data = e.data;
        if (this.#batching) {
          this.#batch.append(data);
          this.written += data.length;
          return;
        }
        let at = 0;
        try {
          while (at < data.length) at += writeSync(this.#fd, data, at, data.length - at);
        } catch (err) {
          throw ioError('writing to file', this.#file.toString(), err);
        }
        this.written += data.length;
        return;
      }
      case 'regular-end': {
        if (this.#batching) {
          this.#batching = false;
          if (this.#batch.count >= BATCH_FILES || this.#batch.bytes >= BATCH_BYTES) this.#send();
          return;
        }
        const fd = this.#fd;
        this.#fd = -1;
        try {
          futimesSync(fd, Date.now() / 1000, MTIME);
        } finally {
          closeSync(fd);
        }
        return;
      }
      case 'symlink':
        try {
          symlinkSync(Buffer.from(e.target), this.#next);
          lutimesSync(this.#next, Date.now() / 1000, MTIME);
        } catch (err) {
          throw ioError('creating symlink', this.#next.toString(), err);
        }
        return;
    }
  }

  /** Checks the object is complete. */
  finish(): void {
    this.#checker.finish();
  }

  /** Closes an open file after a failure (the caller removes the tree). */
  abort(): void {
    if (this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }

  /**
   * Parallel mode: resolves once few enough batches are in flight (undefined when no wait is
   * needed, so callers skip the await); rejects with the first batch failure.
   */
  drain(): Promise<void> | undefined {
    this.#throwFailure();
    if (this.#inFlight.size < MAX_BATCHES && this.#inFlightBytes < MAX_BATCH_BYTES) return;
    return (async () => {
      while (this.#inFlight.size >= MAX_BATCHES || this.#inFlightBytes >= MAX_BATCH_BYTES) {
        await Promise.race(this.#inFlight);
        this.#throwFailure();
      }
    })();
  }

  /**
   * Parallel mode: writes what is gathered, waits for every batch, then gives the directories
   * their canonical mode and mtime. Call before `finish()`.
   */
  async settle(): Promise<void> {
    this.#send();
    await this.#quiesce();
    this.#throwFailure();
    for (const dir of this.#doneDirs.splice(0)) {
      try {
        chmodSync(dir, 0o555);
        utimesSync(dir, Date.now() / 1000, MTIME);
      } catch (err) {
        throw ioError('canonicalising', dir.toString(), err);
      }
    }
  }

  /** After a failure: waits until no batch is running (so the tree can be removed). */
  async stop(): Promise<void> {
    this.abort();
    await this.#quiesce();
  }

  async #quiesce(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #throwFailure(): void {
    if (this.#failure !== null) throw this.#failure.error;
  }

  #send(): void {
    const batch = this.#batch;
    if (batch.count === 0) return;
    this.#batch = new FileBatch();
    this.#inFlightBytes += batch.bytes;
    const job: Promise<void> = writeFiles(batch)
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => {
        this.#inFlight.delete(job);
        this.#inFlightBytes -= batch.bytes;
      });
    this.#inFlight.add(job);
  }
}
