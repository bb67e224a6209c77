/**
 * Invalidating the dead paths of one closure in a single database transaction (the collector's
 * batch): each path is still invalidated as Nix's `invalidatePathChecked` does it (refused
 * while a valid path outside the batch's done part refers to it), as a savepoint inside one
 * `BEGIN IMMEDIATE … COMMIT`, so thousands of dead paths cost one commit instead of one each.
 *
 * A refusal ends the batch: the paths before it stay invalidated (committed), the refused one
 * and those after it stay valid, and the error is handed back for the caller to raise once it
 * has deleted what was invalidated, as Nix would have done before reaching the refused path.
 *
 * @example
 *   const { done, error } = invalidateMany(db, ['/nix/store/…-app', '/nix/store/…-lib']);
 *   for (const p of paths.slice(0, done)) deleteIt(p);
 *   if (error !== undefined) throw error;
 */

import { withSqliteContext } from '../db/sqlite-error.js';
import type { StoreDatabase } from '../db/store-database.js';

/** What {@link invalidateMany} did. */
export interface InvalidateManyResult {
  /** How many paths, from the start of the list, are now invalid. */
  readonly done: number;
  /** Why path number `done` was not invalidated (undefined when all were). */
  readonly error?: unknown;
}

/** Invalidates `paths` in order (referrers before references) in one transaction. */
export function invalidateMany(db: StoreDatabase, paths: readonly string[]): InvalidateManyResult {
  const writer = db.writer();
  if (paths.length === 0) return { done: 0 };
  if (paths.length === 1) {
    // No savepoint needed: the one path's own transaction.
    try {
      writer.invalidatePath(paths[0]!);
    } catch (e) {
      return { done: 0, error: e };
    }
    return { done: 1 };
  }
  const { sqlite, file } = db.database;
  let done = 0;
  let error: unknown;
  const batch = sqlite.transaction(() => {
    for (const path of paths) {
      try {
        // Nested in `batch`, this is a savepoint: a refusal rolls back only its own work.
        writer.invalidatePath(path);
      } catch (e) {
        error = e;
        return;
      }
      done++;
    }
  });
  withSqliteContext('invalidating dead paths', file, () => batch.immediate());
  return error === undefined ? { done } : { done, error };
}

/**
 * A transaction kept open across several `invalidateMany` calls (theirs become savepoints in
 * it), so the collector commits once for many small closures. `begin` is a no-op while one is
 * open; `rollback` is a no-op when none is.
 */
export class DeletionBatch {
  readonly #db: StoreDatabase;

  constructor(db: StoreDatabase) {
    this.#db = db;
  }

  /** Whether the batch's transaction is open. */
  get open(): boolean {
    return this.#db.database.sqlite.inTransaction;
  }

  #exec(sql: string): void {
    const { sqlite, file } = this.#db.database;
    withSqliteContext(`executing SQLite statement '${sql}'`, file, () => sqlite.exec(sql));
  }

  begin(): void {
    if (!this.open) this.#exec('begin immediate');
  }

  commit(): void {
    if (this.open) this.#exec('commit');
  }

  /** Undoes an uncommitted batch (after a failure that left its files in place). */
  rollback(): void {
    if (this.open) this.#exec('rollback');
  }
}
