/**
 * Where a local store's parts are on disk (spec store-format §5.1): the logical store dir used
 * in paths and hashes, the real dir where objects physically are, the state dir (database,
 * roots, locks) and the log dir. A chroot store (`root=R`) has `real = R/nix/store` while its
 * paths still say `/nix/store`.
 *
 * @example
 *   const loc = storeLocations(config);
 *   loc.realPath('/nix/store/xrab…-hello.txt')   // '/srv/r/nix/store/xrab…-hello.txt'
 */
import { join } from 'node:path';
import type { StoreConfig } from '@strata/core/registry';

/** The directories of a local store, all absolute and canonical. */
export interface StoreLocations {
  /** Logical store dir (`/nix/store`). */
  readonly storeDir: string;
  /** Physical store dir (= storeDir unless chroot). */
  readonly realStoreDir: string;
  /** State dir (`/nix/var/nix`). */
  readonly stateDir: string;
  /** Build log dir. */
  readonly logDir: string;
  /** `state/db`. */
  readonly dbDir: string;
}

/** Locations from a `local`-family store config. */
export function storeLocations(config: StoreConfig): StoreLocations {
  const stateDir = config.get<string>('state');
  return {
    storeDir: config.get<string>('store'),
    realStoreDir: config.get<string>('real'),
    stateDir,
    logDir: config.get<string>('log'),
    dbDir: join(stateDir, 'db'),
  };
}

/** The physical location of a logical store path (or of anything below it). */
export function realPath(locations: StoreLocations, storePath: string): string {
  if (storePath === locations.storeDir) return locations.realStoreDir;
  return locations.realStoreDir + storePath.slice(locations.storeDir.length);
}
