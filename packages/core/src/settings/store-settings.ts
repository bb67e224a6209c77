/**
 * The settings every store shares (Nix's `StoreConfig`, spec/config-and-urls.md §3.4.1) and
 * those of stores with a directory on the local file system (`LocalFSStoreConfig`, §3.4.2).
 * Plugins build their schemas on these with {@link extendSchema}, so `local-overlay` is
 * `local` plus its own four, and `describe` documents each store from its schema alone.
 *
 * @example
 *   const DUMMY = extendSchema(STORE_SETTINGS, [
 *     { ...STORE_SETTINGS_BY_NAME['path-info-cache-size'], default: 0 },
 *   ]);
 */
import { isFeatureEnabled } from './experimental.js';
import { canonicalisePath } from './paths.js';
import type { DefaultContext, SettingDef, SettingsSchema, SettingValue } from './types.js';

function envPath(ctx: DefaultContext, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = ctx.env[n];
    if (v !== undefined && v !== '') return canonicalisePath(v) ?? v;
  }
  return undefined;
}

function globalFeatures(ctx: DefaultContext): readonly string[] {
  const f = ctx.global['experimental-features'];
  return Array.isArray(f) ? (f as readonly string[]) : [];
}

/** The logical store directory from the environment: `$NIX_STORE_DIR`, `$NIX_STORE`, `/nix/store`. */
export function defaultStoreDir(env: Readonly<Record<string, string | undefined>>): string {
  return envPath({ own: {}, global: {}, env }, 'NIX_STORE_DIR', 'NIX_STORE') ?? '/nix/store';
}

/** Settings of every store (§3.4.1), in Nix's declaration order. */
export const STORE_SETTINGS: SettingsSchema = [
  {
    name: 'store',
    type: { kind: 'path' },
    default: (ctx) => defaultStoreDir(ctx.env),
    description:
      'The logical store directory, which is part of every store path hash. Two stores can only exchange paths when their store directories are equal. Defaults to `$NIX_STORE_DIR`, then `$NIX_STORE`, then `/nix/store`.',
  },
  {
    name: 'path-info-cache-size',
    type: { kind: 'int', signed: true },
    default: 65536,
    description: 'How many path infos to keep in memory; 0 turns the cache off.',
  },
  {
    name: 'trusted',
    type: { kind: 'bool' },
    default: false,
    description:
      'Whether paths from this store are accepted as substitutes without a signature by a trusted key.',
  },
  {
    name: 'priority',
    type: { kind: 'int', signed: true },
    default: 0,
    description: 'Order among substituters: stores with a lower value are asked first.',
  },
  {
    name: 'want-mass-query',
    type: { kind: 'bool' },
    default: false,
    description: 'Whether the store answers many validity queries at once efficiently.',
  },
  {
    name: 'system-features',
    type: { kind: 'string-set' },
    default: (ctx) => {
      const base = ctx.global['system-features'];
      const features = new Set(Array.isArray(base) ? (base as string[]) : []);
      const enabled = globalFeatures(ctx);
      if (isFeatureEnabled(enabled, 'ca-derivations')) features.add('ca-derivations');
      if (isFeatureEnabled(enabled, 'recursive-nix')) features.add('recursive-nix');
      if (isFeatureEnabled(enabled, 'dynamic-derivations')) features.add('builder-rpc-v0');
      return [...features].sort();
    },
    documentDefault: false,
    description:
      'Features of the machine that builds for this store. Defaults to the global `system-features`, plus the experimental features that add one.',
  },
];

function underRoot(ctx: DefaultContext, suffix: string, env: string, fallback: string): string {
  const root = ctx.own.root as string | undefined;
  if (root !== undefined) return canonicalisePath(`${root}/${suffix}`) as string;
  return envPath(ctx, env) ?? fallback;
}

/** Settings of stores whose directories are on the local file system (§3.4.2). */
export const LOCAL_FS_STORE_SETTINGS: SettingsSchema = [
  ...STORE_SETTINGS,
  {
    name: 'root',
    type: { kind: 'path', optional: true },
    default: undefined,
    description:
      'A directory that all other directories of the store live under (a chroot store). The URL path gives it too: `local:///srv/r` and `/srv/r` mean `root=/srv/r`.',
  },
  {
    name: 'state',
    type: { kind: 'path' },
    default: (ctx) => underRoot(ctx, 'nix/var/nix', 'NIX_STATE_DIR', '/nix/var/nix'),
    description:
      'The state directory: database, garbage collector roots, profiles, temporary roots. Defaults to `<root>/nix/var/nix` with a root, else `$NIX_STATE_DIR` or `/nix/var/nix`.',
  },
  {
    name: 'log',
    type: { kind: 'path' },
    default: (ctx) => underRoot(ctx, 'nix/var/log/nix', 'NIX_LOG_DIR', '/nix/var/log/nix'),
    description:
      'The directory of build logs. Defaults to `<root>/nix/var/log/nix` with a root, else `$NIX_LOG_DIR` or `/nix/var/log/nix`.',
  },
  {
    name: 'real',
    type: { kind: 'path' },
    default: (ctx) =>
      ctx.own.root !== undefined
        ? (canonicalisePath(`${ctx.own.root as string}/nix/store`) as string)
        : (ctx.own.store as string),
    description:
      'Where the store directory physically is. Defaults to `<root>/nix/store` with a root (whatever `store` says), else `store`.',
  },
];

function byName(schema: SettingsSchema): Readonly<Record<string, SettingDef>> {
  return Object.fromEntries(schema.map((d) => [d.name, d]));
}

/** {@link STORE_SETTINGS} by name, for overriding one default in a derived schema. */
export const STORE_SETTINGS_BY_NAME = byName(STORE_SETTINGS);
/** {@link LOCAL_FS_STORE_SETTINGS} by name. */
export const LOCAL_FS_STORE_SETTINGS_BY_NAME = byName(LOCAL_FS_STORE_SETTINGS);

/**
 * A schema that is `base` plus `own`: a definition in `own` with the name of one in `base`
 * replaces it in place (a different default or description), the others are appended.
 */
export function extendSchema(base: SettingsSchema, own: SettingsSchema): SettingsSchema {
  const replaced = new Map(own.map((d) => [d.name, d]));
  const out = base.map((d) => replaced.get(d.name) ?? d);
  const known = new Set(base.map((d) => d.name));
  return [...out, ...own.filter((d) => !known.has(d.name))];
}

/** The default of `def` in a context (computed defaults are called). */
export function defaultValue(def: SettingDef, ctx: DefaultContext): SettingValue {
  return typeof def.default === 'function'
    ? (def.default as (c: DefaultContext) => SettingValue)(ctx)
    : def.default;
}
