/**
 * Lexical path canonicalisation as Nix does it for path settings and store URL paths: `.` and
 * empty segments dropped, `..` pops (never above `/`), no trailing slash, no file system access.
 *
 * @example
 *   canonicalisePath('/a/../b//c/')  // '/b/c'
 *   canonicalisePath('/..')          // '/'
 */
import { posix } from 'node:path';

/** Canonicalises an absolute path lexically; `undefined` when `p` is not absolute. */
export function canonicalisePath(p: string): string | undefined {
  if (!p.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Makes `p` absolute against `cwd` (no `~` expansion), then canonicalises it. */
export function absolutePath(p: string, cwd: string): string {
  return canonicalisePath(p.startsWith('/') ? p : posix.join(cwd, p)) as string;
}
