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

const SLASH = Buffer.from('/');
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Canonical mtime: one second after the epoch. */
const MTIME = 1;

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

  constructor(target: string) {
    this.#next = Buffer.from(target);
    this.#file = this.#next;
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
        try {
          chmodSync(dir, 0o555);
          utimesSync(dir, Date.now() / 1000, MTIME);
        } catch (err) {
          throw ioError('canonicalising', dir.toString(), err);
        }
        return;
      }
      case 'regular':
        try {
          this.#fd = openSync(this.#next, CREATE, e.executable ? 0o555 : 0o444);
        } catch (err) {
          throw ioError('creating file', this.#next.toString(), err);
        }
        this.#file = this.#next;
        return;
      case 'contents': {
        const data = e.data;
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
}
