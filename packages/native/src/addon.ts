/**
 * Loads the compiled add-on (`build/Release/strata_native.node`, built by `pnpm install`) on
 * first use, and turns the errno errors it throws into StrataErrors.
 *
 * Loading lazily keeps `import '@strata/native'` harmless where the add-on is missing; the first
 * call then fails with STRATA_ERR_NATIVE_NOT_BUILT and a hint on how to build it.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, strataError } from '@strata/core';

/** The functions the C add-on exports (see addon/strata_native.c). */
export interface NativeBinding {
  /** `op`: 0 unlock, 1 shared, 2 exclusive. False when `wait` is false and the lock is taken. */
  flock(fd: number, op: number, wait: boolean): boolean;
  flockAsync(fd: number, op: number): Promise<void>;
  peerCredentials(fd: number): { pid: number; uid: number; gid: number };
  /** Creates files (NUL-terminated `paths`, `modes`, `sizes`, contents back to back in `data`). */
  writeFiles(paths: Buffer, modes: Uint32Array, data: Buffer, sizes: Float64Array): Promise<void>;
  /** Copies `size` bytes `src` → `dst`, resolving to SHA-256(prefix ‖ copy ‖ suffix). */
  copyHashFile(
    src: number,
    dst: number,
    size: number,
    prefix: Buffer,
    suffix: Buffer,
  ): Promise<Buffer>;
  /** The NAR hash (`algorithm`: an OpenSSL digest name) and NAR size of the tree at `path`. */
  narHashTree(path: Buffer, algorithm: string): Promise<{ digest: Buffer; size: number }>;
}

// Relative to this module, which is in src/ (source) or dist/ (built): both one level down.
const ADDON = '../build/Release/strata_native.node';

let binding: NativeBinding | undefined;

/** The add-on, loaded once. */
export function native(): NativeBinding {
  if (binding === undefined) {
    const require = createRequire(import.meta.url);
    try {
      binding = require(ADDON) as NativeBinding;
    } catch (cause) {
      throw strataError(
        'STRATA_ERR_NATIVE_NOT_BUILT',
        { file: fileURLToPath(new URL(ADDON, import.meta.url)), reason: errorText(cause) },
        { cause, hint: 'build it with `pnpm install` or `pnpm --filter @strata/native run build`' },
      );
    }
  }
  return binding;
}

/** An error from the add-on (`code` is the errno name, e.g. `EBADF`). */
export interface ErrnoError extends Error {
  code: string;
  errno: number;
}

// First line only: Node appends the whole require stack to a missing module's message.
function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** Rethrows an add-on errno error as the StrataError `code` with its strerror text. */
export function rethrowErrno(
  e: unknown,
  code: Extract<ErrorCode, 'STRATA_ERR_NATIVE_FLOCK' | 'STRATA_ERR_NATIVE_PEER_CREDENTIALS'>,
): never {
  if (e instanceof Error && typeof (e as Partial<ErrnoError>).errno === 'number') {
    throw strataError(code, { reason: e.message }, { cause: e });
  }
  throw e;
}

/** Checks that `fd` can be a file descriptor (a non-negative 32-bit integer). */
export function checkFd(fd: number): void {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw strataError('STRATA_ERR_NATIVE_BAD_FD', { fd: String(fd) });
  }
}
