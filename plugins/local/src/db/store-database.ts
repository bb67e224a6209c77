/**
 * A local store's database with its statements: the read queries always, the write side only
 * when the database is writable (see `registration.ts`).
 *
 * @example
 *   const db = openStoreDatabase({ dbDir: `${root}/nix/var/nix/db`, realStoreDir: `${root}/nix/store`,
 *     storeDir: new StoreDir('/nix/store'), create: true });
 *   db.writer().registerValidPaths([info]);
 *   db.queries.queryPathInfo(info.path);
 *   db.close();
 */
import { strataError } from '@strata/core/errors';
import type { StoreDir } from '@strata/core/store-path';
import { type OpenDatabase, type OpenDatabaseOptions, openDatabase } from './open.js';
import { PathQueries } from './queries.js';
import { PathRegistration } from './registration.js';

/** What `openStoreDatabase` needs beyond `openDatabase`'s options. */
export interface StoreDatabaseOptions extends OpenDatabaseOptions {
  /** The logical store directory (paths in the database are under it). */
  readonly storeDir: StoreDir;
  /** The physical store directory, where `.drv` files are read when registering them. */
  readonly realStoreDir: string;
  /** Seconds since the epoch for new rows without a registration time (default: now). */
  readonly now?: () => number;
  /** Throws unless `ca-derivations` is enabled (see `RegistrationOptions`). */
  readonly requireCaDerivations?: () => void;
}

/** An open store database. */
export interface StoreDatabase {
  readonly database: OpenDatabase;
  readonly queries: PathQueries;
  readonly readOnly: boolean;
  /** The write side; fails with `STRATA_ERR_LOCALDB_READ_ONLY` on a read-only database. */
  writer(): PathRegistration;
  close(): void;
}

/** Opens the database (see `openDatabase`) and prepares its statements. */
export function openStoreDatabase(options: StoreDatabaseOptions): StoreDatabase {
  const database = openDatabase(options);
  try {
    const queries = new PathQueries(database.sqlite, options.storeDir);
    const registration = database.readOnly
      ? undefined
      : new PathRegistration(database.sqlite, queries, {
          realStoreDir: options.realStoreDir,
          ...(options.now ? { now: options.now } : {}),
          ...(options.requireCaDerivations
            ? { requireCaDerivations: options.requireCaDerivations }
            : {}),
        });
    return {
      database,
      queries,
      readOnly: database.readOnly,
      writer() {
        if (registration === undefined) {
          throw strataError('STRATA_ERR_LOCALDB_READ_ONLY', { file: database.file });
        }
        return registration;
      },
      close: () => database.close(),
    };
  } catch (e) {
    database.close();
    throw e;
  }
}
