/**
 * `StoreDir`: the logical store directory (`/nix/store` by default), which is part of every
 * store-path hash, and the conversions between full paths and `StorePath`s (spec
 * store-format §2.1).
 *
 * @example
 *   const dir = new StoreDir('/nix/store');
 *   const p = dir.parsePath('/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
 *   dir.print(p);                                   // back to the full path
 *   dir.toStorePath(`${dir.print(p)}/bin/x`);        // { storePath: p, rest: '/bin/x' }
 */
import { strataError } from '../errors.js';
import { baseNameOf, canonPath, dirOf } from './canon-path.js';
import { parseStorePathBaseName, type StorePath } from './store-path.js';

/** Nix's default logical store directory. */
export const DEFAULT_STORE_DIR = '/nix/store';

/** A validated store directory: absolute, canonical, not `/`. */
export class StoreDir {
  /** The directory, e.g. `/nix/store`. */
  readonly path: string;

  /**
   * Fails with `STRATA_ERR_STORE_DIR_INVALID` unless `path` is absolute and canonical (no
   * trailing `/`, no `//`, `.` or `..` components) and not `/` itself.
   */
  constructor(path: string = DEFAULT_STORE_DIR) {
    if (!path.startsWith('/') || path === '/' || canonPath(path) !== path) {
      throw strataError('STRATA_ERR_STORE_DIR_INVALID', { dir: path });
    }
    this.path = path;
  }

  /**
   * Parses a full store path: canonicalises it, requires its parent to be this directory
   * (`path '<p>' is not in the Nix store`) and validates the base name.
   */
  parsePath(path: string): StorePath {
    const p = canonPath(path);
    if (dirOf(p) !== this.path)
      throw strataError('STRATA_ERR_STORE_PATH_NOT_IN_STORE', { path: p });
    return parseStorePathBaseName(baseNameOf(p), p);
  }

  /** True when `path` parses as a store path of this directory. */
  isStorePath(path: string): boolean {
    try {
      this.parsePath(path);
      return true;
    } catch {
      return false;
    }
  }

  /** True when the canonical form of `path` lies strictly below this directory. */
  isInStore(path: string): boolean {
    const p = path.startsWith('/') ? canonPath(path) : path;
    return p.length >= this.path.length + 2 && p.startsWith(`${this.path}/`);
  }

  /**
   * Maps a path inside a store object (`<dir>/<hash>-<name>/bin/x`) to its store path and the
   * rest (`/bin/x`, or `''` for the store path itself). The path is canonicalised first.
   */
  toStorePath(path: string): { storePath: StorePath; rest: string } {
    const p = canonPath(path);
    if (!this.isInStore(p)) throw strataError('STRATA_ERR_STORE_PATH_NOT_IN_STORE', { path: p });
    const slash = p.indexOf('/', this.path.length + 1);
    if (slash < 0) return { storePath: this.parsePath(p), rest: '' };
    return { storePath: this.parsePath(p.slice(0, slash)), rest: p.slice(slash) };
  }

  /** The full path `<dir>/<baseName>`. */
  print(storePath: StorePath): string {
    return `${this.path}/${storePath.baseName}`;
  }

  /** The directory. */
  toString(): string {
    return this.path;
  }
}
