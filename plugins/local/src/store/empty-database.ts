/**
 * The database of a store that has none yet, for reading: an in-memory database with Nix's
 * schema and no rows. Reading a store that was never written must neither fail nor create
 * anything on disk (DESIGN.md: `info` on a missing root creates nothing).
 */
import { strataError } from '@strata/core/errors';
import type { StoreDir } from '@strata/core/store-path';
import Database from 'better-sqlite3';
import { sqliteAddon } from '../db/open.js';
import { PathQueries } from '../db/queries.js';
import { SCHEMA_SQL } from '../db/schema.js';
import type { StoreDatabase } from '../db/store-database.js';

/** An empty, read-only view standing in for `<dbDir>/db.sqlite`. */
export function emptyStoreDatabase(dbDir: string, storeDir: StoreDir): StoreDatabase {
  const sqlite = new Database(':memory:', { nativeBinding: sqliteAddon() });
  sqlite.exec(SCHEMA_SQL);
  const file = `${dbDir}/db.sqlite`;
  let open = true;
  const close = () => {
    if (open) sqlite.close();
    open = false;
  };
  return {
    database: { sqlite, file, dbDir, readOnly: true, created: false, close },
    queries: new PathQueries(sqlite, storeDir),
    readOnly: true,
    writer() {
      throw strataError('STRATA_ERR_LOCALDB_READ_ONLY', { file });
    },
    close,
  };
}
