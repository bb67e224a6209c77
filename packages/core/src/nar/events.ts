/**
 * The NAR event model: a file system object as a flat, streamable sequence of events, and the
 * checker that decides whether a sequence describes a valid NAR (spec store-format §3.2).
 *
 * A node is `regular` (then its `contents` chunks, then `regular-end`), `symlink`, or
 * `directory` (then, per entry in strictly increasing byte order of name, `entry` followed by
 * exactly one node, then `directory-end`). Names and targets are raw bytes. A regular file's
 * contents arrive in chunks, so a big file never sits in memory.
 *
 * @example
 *   // small/ of spec §3.3: f = "a", l -> f, x = empty executable
 *   [{ type: 'directory' },
 *    { type: 'entry', name: utf8('f') }, { type: 'regular', executable: false, size: 1 },
 *      { type: 'contents', data: utf8('a') }, { type: 'regular-end' },
 *    { type: 'entry', name: utf8('l') }, { type: 'symlink', target: utf8('f') },
 *    { type: 'entry', name: utf8('x') }, { type: 'regular', executable: true, size: 0 },
 *      { type: 'regular-end' },
 *    { type: 'directory-end' }]
 */
import { strataError } from '../errors.js';
import {
  compareBytes,
  isValidEntryName,
  isValidSymlinkTarget,
  NAR_MAX_NAME,
  NAR_MAX_TARGET,
  showBytes,
} from './format.js';

/** Start of a regular file; `size` bytes of `contents` events follow, then `regular-end`. */
export interface NarRegularEvent {
  readonly type: 'regular';
  readonly executable: boolean;
  /** Length of the contents in bytes. */
  readonly size: number;
  /** Where the contents start in the NAR (set by the parser; writers ignore it). */
  readonly narOffset?: number;
}

/** A chunk of the current regular file's contents (may be a view into the parser's input). */
export interface NarContentsEvent {
  readonly type: 'contents';
  readonly data: Uint8Array;
}

/** End of the current regular file. */
export interface NarRegularEndEvent {
  readonly type: 'regular-end';
}

/** A complete symlink node. */
export interface NarSymlinkEvent {
  readonly type: 'symlink';
  readonly target: Uint8Array;
}

/** Start of a directory; `entry` events (each followed by one node) follow, then `directory-end`. */
export interface NarDirectoryEvent {
  readonly type: 'directory';
}

/** Start of a directory entry; the next node is its object. */
export interface NarEntryEvent {
  readonly type: 'entry';
  readonly name: Uint8Array;
}

/** End of the current directory. */
export interface NarDirectoryEndEvent {
  readonly type: 'directory-end';
}

/** One step of a NAR, as produced by `parseNar` and consumed by `writeNar` / `restorePath`. */
export type NarEvent =
  | NarRegularEvent
  | NarContentsEvent
  | NarRegularEndEvent
  | NarSymlinkEvent
  | NarDirectoryEvent
  | NarEntryEvent
  | NarDirectoryEndEvent;

/** Where the checker is: expecting a node, inside a file, inside a directory, or done. */
enum Expect {
  Node,
  Contents,
  EntryOrEnd,
  Done,
}

function badEvent(reason: string) {
  return strataError('STRATA_ERR_NAR_BAD_EVENT', { reason });
}

/**
 * Checks that a sequence of events is a valid NAR in the writer's sense: well nested, entry
 * names valid and strictly increasing byte-wise, symlink targets valid, contents adding up to
 * the announced size, and names/targets within the lengths master's parser accepts. Feed every
 * event to `check` and call `finish` at the end.
 */
export class NarEventChecker {
  #expect = Expect.Node;
  /** Previous entry name of each open directory (null before its first entry). */
  readonly #dirs: (Uint8Array | null)[] = [];
  #remaining = 0;

  /** Number of directories currently open. */
  get depth(): number {
    return this.#dirs.length;
  }

  /** True once the root node is complete. */
  get done(): boolean {
    return this.#expect === Expect.Done;
  }

  /** Bytes of the current regular file still to come. */
  get remaining(): number {
    return this.#remaining;
  }

  /** Throws a `StrataError` when `e` cannot come next. */
  check(e: NarEvent): void {
    switch (e.type) {
      case 'contents':
        if (this.#expect !== Expect.Contents) throw badEvent('contents outside a regular file');
        if (e.data.length > this.#remaining) {
          throw badEvent('contents longer than the announced size');
        }
        this.#remaining -= e.data.length;
        return;
      case 'regular-end':
        if (this.#expect !== Expect.Contents) throw badEvent('regular-end outside a regular file');
        if (this.#remaining !== 0) throw badEvent('contents shorter than the announced size');
        this.#nodeDone();
        return;
      case 'entry': {
        if (this.#expect !== Expect.EntryOrEnd) throw badEvent('entry outside a directory');
        const name = e.name;
        if (!isValidEntryName(name)) {
          throw strataError('STRATA_ERR_NAR_INVALID_NAME', { name: showBytes(name) });
        }
        if (name.length > NAR_MAX_NAME) throw strataError('STRATA_ERR_NAR_STRING_TOO_LONG', {});
        const top = this.#dirs.length - 1;
        const prev = this.#dirs[top];
        if (prev !== null && compareBytes(prev, name) >= 0) {
          throw strataError('STRATA_ERR_NAR_NOT_SORTED', {});
        }
        this.#dirs[top] = name;
        this.#expect = Expect.Node;
        return;
      }
      case 'directory-end':
        if (this.#expect !== Expect.EntryOrEnd) throw badEvent('directory-end outside a directory');
        this.#dirs.pop();
        this.#nodeDone();
        return;
      default:
        break;
    }
    if (this.#expect !== Expect.Node) {
      throw badEvent(
        this.#expect === Expect.Done ? `${e.type} after the end` : `${e.type} where none may start`,
      );
    }
    switch (e.type) {
      case 'regular':
        if (!Number.isSafeInteger(e.size) || e.size < 0) throw badEvent(`bad file size ${e.size}`);
        this.#remaining = e.size;
        this.#expect = Expect.Contents;
        return;
      case 'symlink':
        if (!isValidSymlinkTarget(e.target)) {
          throw strataError('STRATA_ERR_NAR_BAD_SYMLINK_TARGET', {});
        }
        if (e.target.length > NAR_MAX_TARGET) {
          throw strataError('STRATA_ERR_NAR_STRING_TOO_LONG', {});
        }
        this.#nodeDone();
        return;
      case 'directory':
        this.#dirs.push(null);
        this.#expect = Expect.EntryOrEnd;
        return;
      default:
        throw badEvent(`unknown event type '${(e as { type: unknown }).type}'`);
    }
  }

  /** Throws unless the root node is complete. */
  finish(): void {
    if (this.#expect !== Expect.Done) throw badEvent('the events end before the root node does');
  }

  #nodeDone(): void {
    this.#expect = this.#dirs.length === 0 ? Expect.Done : Expect.EntryOrEnd;
  }
}
