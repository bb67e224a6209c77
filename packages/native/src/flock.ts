/**
 * BSD `flock(2)` on an open file descriptor: the lock Nix uses for its big lock, GC lock,
 * temp-roots files and per-path `.lock` files (spec store-format §5.4). POSIX `fcntl` locks
 * do not exclude `flock` locks on Linux, so only this interoperates with a running Nix.
 *
 * A flock belongs to the open file description: two `fs.open` calls on the same file conflict
 * even within one process, and the lock goes away when the last descriptor sharing the
 * description is closed.
 *
 * @example
 *   const fd = fs.openSync(`${state}/gc.lock`, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
 *   if (!flock(fd, 'shared')) {
 *     // a garbage collector is running
 *   }
 *   await flockAsync(fd, 'exclusive'); // waits on the thread pool, the event loop runs on
 *   flock(fd, 'unlock');
 */
import { strataError } from '@strata/core';
import { checkFd, native, rethrowErrno } from './addon.js';

/** `shared` (LOCK_SH), `exclusive` (LOCK_EX) or `unlock` (LOCK_UN). */
export type LockMode = 'shared' | 'exclusive' | 'unlock';

export interface FlockOptions {
  /**
   * Block until the lock is granted (default false: try once). A blocking wait stops the
   * whole JavaScript thread; prefer `flockAsync` for waiting.
   */
  wait?: boolean;
}

const OPERATIONS: Record<LockMode, number> = { unlock: 0, shared: 1, exclusive: 2 };

function operation(mode: LockMode): number {
  const op = Object.hasOwn(OPERATIONS, mode) ? OPERATIONS[mode] : undefined;
  if (op === undefined)
    throw strataError('STRATA_ERR_NATIVE_BAD_LOCK_MODE', { mode: String(mode) });
  return op;
}

/**
 * Takes, converts or releases the flock on `fd`. Returns true when done, false when `wait` is
 * off and another open file description holds a conflicting lock (EWOULDBLOCK). Interrupted
 * calls (EINTR) are retried; any other failure throws STRATA_ERR_NATIVE_FLOCK with the
 * system's text, e.g. `acquiring/releasing lock: Bad file descriptor`.
 */
export function flock(fd: number, mode: LockMode, options: FlockOptions = {}): boolean {
  checkFd(fd);
  const op = operation(mode);
  try {
    return native().flock(fd, op, options.wait === true);
  } catch (e) {
    return rethrowErrno(e, 'STRATA_ERR_NATIVE_FLOCK');
  }
}

/**
 * Like `flock(fd, mode, { wait: true })`, but the blocking call runs on the libuv thread pool,
 * so timers and I/O go on while it waits; resolves once the lock is held.
 *
 * Each pending wait occupies one pool thread (4 by default, shared with `fs`, `crypto`, `dns`;
 * raise UV_THREADPOOL_SIZE for many concurrent waits). A wait cannot be cancelled, and keeps
 * the process alive until it is granted. Keep `fd` open until the promise settles.
 */
export async function flockAsync(fd: number, mode: LockMode): Promise<void> {
  checkFd(fd);
  const op = operation(mode);
  try {
    await native().flockAsync(fd, op);
  } catch (e) {
    rethrowErrno(e, 'STRATA_ERR_NATIVE_FLOCK');
  }
}
