/**
 * SQLite failures in Nix 2.8's words: `<what>: <SQLite's message> (in '<file>')`, e.g.
 * `executing SQLite statement 'pragma synchronous = normal': file is not a database (in '…')`.
 */
import { isStrataError, type StrataError, strataError } from '@strata/core/errors';

/** Runs `fn`; a SQLite error it throws becomes `STRATA_ERR_LOCALDB_SQLITE` (others pass). */
export function withSqliteContext<T>(what: string, file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw sqliteError(what, file, e);
  }
}

/** `e` as a `StrataError`: StrataErrors unchanged, anything else described by `what`. */
export function sqliteError(what: string, file: string, e: unknown): StrataError {
  if (isStrataError(e)) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return strataError('STRATA_ERR_LOCALDB_SQLITE', { what, reason, file }, { cause: e });
}
