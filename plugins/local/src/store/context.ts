/**
 * What the parts of a local store (GC, verify, optimise, adding) share: its directories, the
 * global settings it obeys, its database and its temporary roots. `LocalStore` builds one when
 * it opens; the modules in `gc/`, `verify/`, `optimise/` and `add/` are functions of it, so each
 * can be tested on a store directory without the rest.
 */
import type { StoreDir } from '@strata/core/store-path';
import type { StoreDatabase } from '../db/store-database.js';
import type { StoreLocations } from '../layout/locations.js';
import type { LocalGlobals } from '../settings.js';

/** A local store's shared state. */
export interface LocalStoreContext {
  /** The logical store dir, for parsing and printing paths. */
  readonly dir: StoreDir;
  readonly locations: StoreLocations;
  readonly globals: LocalGlobals;
  /** True for `read-only=true` stores and stores opened as another store's lower store. */
  readonly readOnly: boolean;
  /**
   * The database. For a store that has none yet, reading gets an empty view; `writable: true`
   * creates the store's layout and database first (spec §5.2) and fails on a read-only store.
   */
  database(options?: { writable?: boolean }): StoreDatabase;
  /** Registers `path` as a temporary root of this process (spec §9.2). */
  addTempRoot(path: string): Promise<void>;
  /**
   * Fetches a valid copy of `path` from the configured substituters and atomically replaces the
   * local copy (verify --repair). False when no substituter has it.
   */
  repairFromSubstituters(path: string): Promise<boolean>;
}
