/**
 * Test fixture (not part of the package's build): a {@link LocalStoreContext} for a chroot
 * store at `root`, so the GC, verify and optimise modules can be tested on a store directory
 * (one filled by Nix 2.8, say) without opening a whole `LocalStore`. Temporary roots are only
 * recorded in `tempRoots`; the real ones belong to `LocalStore`.
 *
 * @example
 *   const t = testContext(root);            // root made by `nix-store --store root --add …`
 *   await collectGarbage(t.ctx, { action: 'return-dead' });
 *   t.close();
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StoreDir } from '@strata/core/store-path';
import Database from 'better-sqlite3';
import { openStoreDatabase, type StoreDatabase } from '../db/store-database.js';
import type { StoreLocations } from '../layout/locations.js';
import { type LocalGlobals, readLocalGlobals } from '../settings.js';
import type { LocalStoreContext } from './context.js';

/** What `testContext` returns. */
export interface TestContext {
  readonly ctx: LocalStoreContext;
  readonly locations: StoreLocations;
  /** Paths passed to `ctx.addTempRoot`. */
  readonly tempRoots: Set<string>;
  close(): void;
}

/** A context for the chroot store at `root` (logical dir `/nix/store`). */
export function testContext(
  root: string,
  options: { globals?: Partial<LocalGlobals>; readOnly?: boolean } = {},
): TestContext {
  const locations: StoreLocations = {
    storeDir: '/nix/store',
    realStoreDir: join(root, 'nix/store'),
    stateDir: join(root, 'nix/var/nix'),
    logDir: join(root, 'nix/var/log/nix'),
    dbDir: join(root, 'nix/var/nix/db'),
  };
  const dir = new StoreDir(locations.storeDir);
  const globals = { ...readLocalGlobals(new Map(), {}, 1000), ...options.globals };
  const tempRoots = new Set<string>();
  let db: StoreDatabase | undefined;
  const readOnly = options.readOnly ?? false;
  const ctx: LocalStoreContext = {
    dir,
    locations,
    globals,
    readOnly,
    database(o = {}) {
      if (db === undefined) {
        if (o.writable) {
          for (const d of [locations.realStoreDir, join(locations.realStoreDir, '.links')]) {
            mkdirSync(d, { recursive: true });
          }
          for (const d of ['gcroots', 'profiles', 'temproots']) {
            mkdirSync(join(locations.stateDir, d), { recursive: true });
          }
        }
        db = openStoreDatabase({
          dbDir: locations.dbDir,
          storeDir: dir,
          realStoreDir: locations.realStoreDir,
          create: o.writable === true,
          readOnly,
        });
      }
      return db;
    },
    async addTempRoot(path) {
      tempRoots.add(path);
    },
    async repairFromSubstituters() {
      return false;
    },
  };
  return { ctx, locations, tempRoots, close: () => db?.close() };
}

/**
 * The database rows of the chroot store at `root` that do not depend on when a path was
 * registered (references by path, not id), for comparing stores or a store before and after.
 */
export function registrationRows(root: string): unknown[] {
  const file = join(root, 'nix/var/nix/db/db.sqlite');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    return [
      db
        .prepare(
          'select path, hash, narSize, deriver, ultimate, sigs, ca from ValidPaths order by path',
        )
        .all(),
      db
        .prepare(
          `select a.path as referrer, b.path as reference from Refs
           join ValidPaths a on a.id = referrer join ValidPaths b on b.id = reference
           order by 1, 2`,
        )
        .all(),
    ];
  } finally {
    db.close();
  }
}
