/**
 * Nix's `canonPath` without symlink resolution: collapses repeated `/`, removes `.` and
 * resolves `..` lexically (`..` at the root stays at the root), and drops a trailing `/`.
 *
 * @example
 *   canonPath('/nix//store/./x/../abc-foo/'); // '/nix/store/abc-foo'
 */
import { strataError } from '../errors.js';

/** Matches a `//`, a `/.` or `/..` component, or a final `/` (beyond the root). */
const NOT_CANONICAL = /\/\/|\/\.\.?(\/|$)|[\s\S]\/$/;

/** Canonicalises the absolute path `path`; fails with `not an absolute path: '<path>'`. */
export function canonPath(path: string): string {
  if (!path.startsWith('/')) throw strataError('STRATA_ERR_STORE_PATH_NOT_ABSOLUTE', { path });
  // Most paths given are canonical already: no empty, `.` or `..` component, no final `/`.
  if (!NOT_CANONICAL.test(path)) return path;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The directory part of a canonical path (`/` for a top-level entry). */
export function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The last component of a canonical path. */
export function baseNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
