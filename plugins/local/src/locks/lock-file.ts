/**
 * Lock files as Nix uses them (spec store-format §5.4): BSD `flock` on a file opened (and
 * created, mode 0600) for this purpose. A lock file that its holder deleted is marked by the
 * single byte `d` written after the unlink, so a process that was waiting for it and then got
 * it sees a non-empty file and knows to start again on a fresh one.
 *
 * @example
 *   const lock = await acquireLockFile(`${state}/gc.lock`, 'exclusive', () => log('waiting…'));
 *   …
 *   lock.release();
 */
import { closeSync, constants, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { ioError } from '@strata/core/io-error';
import { flock, flockAsync, type LockMode } from '@strata/native';

/** A held lock on an open lock file. */
export interface HeldLock {
  readonly path: string;
  readonly fd: number;
  /** Unlocks and closes; with `deleteFile`, first unlinks the file and marks it stale. */
  release(options?: { deleteFile?: boolean }): void;
}

/** Opens (creating, mode 0600) a lock file; its descriptor. */
export function openLockFile(path: string): number {
  try {
    return openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  } catch (e) {
    throw ioError('opening lock file', path, e);
  }
}

function held(path: string, fd: number): HeldLock {
  let open = true;
  return {
    path,
    fd,
    release(options = {}) {
      if (!open) return;
      open = false;
      if (options.deleteFile) {
        try {
          unlinkSync(path);
          writeSync(fd, 'd');
        } catch {
          // Best effort, as in Nix: a lock file left behind is garbage the collector removes.
        }
      }
      closeSync(fd);
    },
  };
}

/**
 * Takes `mode` on the lock file at `path`, waiting when needed (`onWait` is called once, before
 * waiting: Nix prints its "waiting for …" message there). With `staleCheck`, a file found
 * non-empty after locking was deleted by its previous holder: it is reopened and locked again.
 */
export async function acquireLockFile(
  path: string,
  mode: Exclude<LockMode, 'unlock'>,
  onWait?: () => void,
  options: { staleCheck?: boolean } = {},
): Promise<HeldLock> {
  let warned = false;
  for (;;) {
    const fd = openLockFile(path);
    try {
      if (!flock(fd, mode)) {
        if (!warned && onWait) onWait();
        warned = true;
        await flockAsync(fd, mode);
      }
      if (options.staleCheck && fstatSync(fd).size !== 0) {
        closeSync(fd);
        continue;
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return held(path, fd);
  }
}

/**
 * Tries to take `mode` without waiting; undefined when someone else holds a conflicting lock.
 * With `staleCheck`, as in {@link acquireLockFile}.
 */
export function tryLockFile(
  path: string,
  mode: Exclude<LockMode, 'unlock'>,
  options: { staleCheck?: boolean } = {},
): HeldLock | undefined {
  for (;;) {
    const fd = openLockFile(path);
    try {
      if (!flock(fd, mode)) {
        closeSync(fd);
        return undefined;
      }
      if (options.staleCheck && fstatSync(fd).size !== 0) {
        closeSync(fd);
        continue;
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return held(path, fd);
  }
}

/**
 * Deletes a lock file that its last holder released without deleting it: opened without
 * creating, locked without waiting, then unlinked and marked `d` as a holder deletes it. Left
 * alone when it is gone, held by another process (the holder decides) or marked deleted
 * already. Best effort: a lock file left behind is garbage the collector removes.
 */
export function deleteIdleLockFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR);
  } catch {
    return;
  }
  try {
    if (flock(fd, 'exclusive') && fstatSync(fd).size === 0) {
      unlinkSync(path);
      writeSync(fd, 'd');
    }
  } catch {
    // As in `release`: best effort.
  } finally {
    closeSync(fd);
  }
}
