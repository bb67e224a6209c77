/**
 * Node file-system errors as Nix words them: `<op> '<path>': <strerror text>`, e.g.
 * `opening file '/x': Permission denied` (Nix's `SysError` appends glibc's `strerror`).
 */
import { constants as osConstants } from 'node:os';
import { type StrataError, strataError } from './errors.js';

// glibc's strerror texts; Node only has libuv's lower-case ones.
const STRERROR: Readonly<Record<string, string>> = {
  E2BIG: 'Argument list too long',
  EACCES: 'Permission denied',
  EAGAIN: 'Resource temporarily unavailable',
  EBADF: 'Bad file descriptor',
  EBUSY: 'Device or resource busy',
  EDQUOT: 'Disk quota exceeded',
  EEXIST: 'File exists',
  EFBIG: 'File too large',
  EINTR: 'Interrupted system call',
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  EMLINK: 'Too many links',
  ENAMETOOLONG: 'File name too long',
  ENFILE: 'Too many open files in system',
  ENODEV: 'No such device',
  ENOENT: 'No such file or directory',
  ENOMEM: 'Cannot allocate memory',
  ENOSPC: 'No space left on device',
  ENOTDIR: 'Not a directory',
  ENOTEMPTY: 'Directory not empty',
  ENXIO: 'No such device or address',
  EOPNOTSUPP: 'Operation not supported',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ESTALE: 'Stale file handle',
  ETXTBSY: 'Text file busy',
  EXDEV: 'Invalid cross-device link',
};

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, n]) => [n, name]),
);

/** The errno name (`'ENOENT'`) of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** glibc's text for the errno of `err`, falling back to Node's message. */
export function strerror(err: unknown): string {
  const code = errnoCode(err);
  if (code !== undefined && code in STRERROR) return STRERROR[code];
  // libuv has no name for some errnos (ESTALE: "Unknown system error -116"): go by number.
  const errno = (err as { errno?: unknown } | null)?.errno;
  if (typeof errno === 'number') {
    const name = ERRNO_NAMES.get(-errno);
    if (name !== undefined && name in STRERROR) return STRERROR[name];
  }
  return err instanceof Error ? err.message : String(err);
}

/** `<op> '<path>': <strerror>` as a `StrataError` (`getting status of` + ENOENT has its own code). */
export function ioError(op: string, path: string, err: unknown): StrataError {
  if (op === 'getting status of' && errnoCode(err) === 'ENOENT') {
    return strataError('STRATA_ERR_IO_NOT_FOUND', { path }, { cause: err });
  }
  return strataError('STRATA_ERR_IO_FAILED', { op, path, reason: strerror(err) }, { cause: err });
}
