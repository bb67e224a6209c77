/**
 * Per-path locks (spec store-format §5.4): `<real path>.lock`, exclusive, taken in sorted order
 * when several are needed, stale files (non-empty after locking) retried, and deleted with the
 * `d` mark when released after a successful add, exactly as Nix does, so Nix and Strata never
 * create the same store object at the same time.
 *
 * One path can also be locked on its own ({@link lockPath}, {@link tryLockPath}): a caller that
 * holds several such locks at once must never wait for another one (try, and release what it
 * holds before waiting), which keeps it deadlock-free without knowing every path in advance.
 *
 * @example
 *   const locks = await lockPaths(['/nix/store/…-a'], (p) => realPath(loc, p));
 *   try { … } finally { locks.release(); }
 */
import { acquireLockFile, type HeldLock, tryLockFile } from './lock-file.js';

/** Locks held on a set of paths. */
export interface PathLocks {
  /** Releases all; the lock files are deleted (Nix's `setDeletion(true)`), unless `keep`. */
  release(options?: { keep?: boolean }): void;
}

/** Locks `paths` (store paths) through their real locations, in sorted order. */
export async function lockPaths(
  paths: readonly string[],
  real: (storePath: string) => string,
  onWait?: (storePath: string) => void,
): Promise<PathLocks> {
  const locks: HeldLock[] = [];
  try {
    for (const p of [...new Set(paths)].sort()) {
      locks.push(
        await acquireLockFile(`${real(p)}.lock`, 'exclusive', onWait && (() => onWait(p)), {
          staleCheck: true,
        }),
      );
    }
  } catch (e) {
    for (const l of locks) l.release();
    throw e;
  }
  return {
    release(options = {}) {
      for (const l of locks) l.release({ deleteFile: options.keep !== true });
    },
  };
}

/**
 * Locks one store path through its real location, waiting when needed. Release with
 * `{ deleteFile: true }` after a successful add (Nix's `setDeletion(true)`).
 */
export function lockPath(
  path: string,
  real: (storePath: string) => string,
  onWait?: (storePath: string) => void,
): Promise<HeldLock> {
  return acquireLockFile(`${real(path)}.lock`, 'exclusive', onWait && (() => onWait(path)), {
    staleCheck: true,
  });
}

/** Locks one store path without waiting; undefined when another process holds its lock. */
export function tryLockPath(
  path: string,
  real: (storePath: string) => string,
): HeldLock | undefined {
  return tryLockFile(`${real(path)}.lock`, 'exclusive', { staleCheck: true });
}
