/**
 * The `local` store's settings (spec store-format §12.1): the local-file-system ones from core
 * (`root`, `store`, `real`, `state`, `log`) plus `require-sigs` and `read-only`. The global
 * settings that govern a local store (§12.2) are read from the effective configuration by
 * {@link readLocalGlobals}, with Nix 2.8's defaults when a store is opened without one.
 */
import type { GlobalSettingsView } from '@strata/core/registry';
import { extendSchema, LOCAL_FS_STORE_SETTINGS, type SettingsSchema } from '@strata/core/settings';

/** Settings of the `local` store, in `strata describe local` order. */
export const LOCAL_STORE_SETTINGS: SettingsSchema = extendSchema(LOCAL_FS_STORE_SETTINGS, [
  {
    name: 'require-sigs',
    type: { kind: 'bool' },
    default: (ctx) => {
      const g = ctx.global['require-sigs'];
      return typeof g === 'boolean' ? g : true;
    },
    documentDefault: false,
    description:
      'Whether NARs imported into this store (`strata import`, `strata copy`, substitution) need a signature by a key in `trusted-public-keys`. Defaults to the global `require-sigs` (true).',
  },
  {
    name: 'read-only',
    type: { kind: 'bool' },
    default: false,
    // Not gated as a setting (dropped with a warning): like Nix, opening a store with it set
    // fails unless `read-only-local-store` is enabled, so it is never silently ignored.
    description:
      'Needs the experimental feature `read-only-local-store`. Open the store read-only: the database is opened immutable, no lock is taken, no temporary root is written and nothing on disk changes. Every write fails. For stores on read-only media, or a lower store shared by many overlays. Changes that another process still holds in the SQLite write-ahead log are not seen.',
  },
]);

/** The global settings a local store obeys (spec store-format §12.2). */
export interface LocalGlobals {
  readonly keepOutputs: boolean;
  readonly keepDerivations: boolean;
  readonly autoOptimiseStore: boolean;
  readonly trustedPublicKeys: readonly string[];
  readonly secretKeyFiles: readonly string[];
  readonly substituters: readonly string[];
  readonly fsyncMetadata: boolean;
  readonly useSqliteWal: boolean;
  readonly syncBeforeRegistering: boolean;
  readonly gcReservedSpace: bigint;
  readonly narBufferSize: bigint;
  readonly allowSymlinkedStore: boolean;
  /** Empty when unset; Nix's default is `nixbld` for root. */
  readonly buildUsersGroup: string;
  readonly ignoredAcls: readonly string[];
}

const CACHE_KEY = 'cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=';

/** The values from `globals`, Nix 2.8's defaults for what it lacks. */
export function readLocalGlobals(
  globals: GlobalSettingsView,
  env: Readonly<Record<string, string | undefined>>,
  uid: number,
): LocalGlobals {
  const get = <T>(name: string, fallback: T): T => {
    const s = globals.get(name);
    return s === undefined ? fallback : (s.value as T);
  };
  const size = (name: string, fallback: bigint): bigint => {
    const v = get<bigint | number>(name, fallback);
    return typeof v === 'bigint' ? v : BigInt(v);
  };
  return {
    keepOutputs: get('keep-outputs', false),
    keepDerivations: get('keep-derivations', true),
    autoOptimiseStore: get('auto-optimise-store', false),
    trustedPublicKeys: get<readonly string[]>('trusted-public-keys', [CACHE_KEY]),
    secretKeyFiles: get<readonly string[]>('secret-key-files', []),
    substituters: get<readonly string[]>('substituters', ['https://cache.nixos.org/']),
    fsyncMetadata: get('fsync-metadata', true),
    useSqliteWal: get('use-sqlite-wal', true),
    syncBeforeRegistering: get('sync-before-registering', false),
    gcReservedSpace: size('gc-reserved-space', 8_388_608n),
    narBufferSize: size('nar-buffer-size', 33_554_432n),
    allowSymlinkedStore: get('allow-symlinked-store', env.NIX_IGNORE_SYMLINK_STORE === '1'),
    buildUsersGroup: get('build-users-group', uid === 0 ? 'nixbld' : ''),
    ignoredAcls: get<readonly string[]>('ignored-acls', ['security.selinux', 'system.nfs4_acl']),
  };
}
