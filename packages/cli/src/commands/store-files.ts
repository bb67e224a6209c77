/**
 * What `strata ls` and `strata cat` share: splitting a path argument into the store object and
 * the path inside it (`nix store ls/cat` take it as given, without following symlinks), and
 * naming the whole path in "does not exist" messages as Nix does.
 */
import type { Store } from '@strata/core';
import { isStrataError, strataError } from '@strata/core/errors';
import { StoreDir } from '@strata/core/store-path';

/** The object a path argument lies in and the rest of the path (`''` for the object itself). */
export function storeObjectPath(store: Store, arg: string): { storePath: string; rest: string } {
  const dir = new StoreDir(store.storeDir);
  // Nix checks the argument as given: a relative path is simply not in the store.
  if (!arg.startsWith('/') || !dir.isInStore(arg))
    throw strataError('STRATA_ERR_STORE_PATH_NOT_IN_STORE', { path: arg });
  const { storePath, rest } = dir.toStorePath(arg);
  return { storePath: dir.print(storePath), rest };
}

/** Runs `fn`, reporting NAR path errors with the full `path` rather than the part inside it. */
export function withFullPathErrors<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fullPathError(path, e);
  }
}

/** `e` with the full `path` when it is a NAR path error, else `e` itself. */
export function fullPathError(path: string, e: unknown): unknown {
  if (!isStrataError(e)) return e;
  if (e.code === 'STRATA_ERR_NAR_PATH_NOT_FOUND' || e.code === 'STRATA_ERR_NAR_PATH_NOT_IN_NAR')
    return strataError('STRATA_ERR_NAR_PATH_NOT_FOUND', { path });
  if (e.code === 'STRATA_ERR_NAR_PATH_NOT_REGULAR')
    return strataError('STRATA_ERR_NAR_PATH_NOT_REGULAR', { path });
  return e;
}
