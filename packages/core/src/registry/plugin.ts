/**
 * The plugin contract (DESIGN.md "The plugin contract"): a plugin module's default export
 * describes one or more store implementations — schemes, settings schema, optional
 * experimental feature, capabilities, documentation and `open`. Built-in and third-party
 * plugins use exactly this; {@link validatePluginManifest} checks one at registration.
 *
 * @example
 *   export default defineStorePlugin({
 *     name: '@acme/strata-plugin-memory',
 *     core: '^0.1.0',
 *     stores: [{
 *       name: 'Memory Store', schemes: ['memory'], authority: 'none',
 *       settings: STORE_SETTINGS, capabilities: ['write'],
 *       doc: 'A store in memory.', urlFormats: ['memory://'],
 *       open: (config, ctx) => new MemoryStore(config),
 *     }],
 *   });
 */
import { strataError } from '../errors.js';
import { isExperimentalFeature } from '../settings/experimental.js';
import type { SettingDef, SettingsSchema } from '../settings/types.js';
import type { Store, StoreCapability } from '../store/types.js';
import type { StoreOpenContext } from './open-context.js';
import type { StoreConfig } from './store-config.js';
import { CORE_VERSION, isValidRange, satisfiesRange } from './version.js';

/**
 * How an implementation reads the part between `scheme://` and `?` (spec §2.2):
 * - `none`: must be empty (`dummy://`);
 * - `path`: an absolute file system path (`local:///srv/r`, `unix:///run/s`, `file:///c`);
 * - `url`: the whole thing is a URL with a non-empty host (`https://cache.example.org/x`);
 * - `any`: handed to the plugin as written (`ssh://me@host:22`).
 */
export type AuthorityKind = 'none' | 'path' | 'url' | 'any';

/** One store implementation of a plugin. */
export interface StoreImplementation {
  /** Unique display name; Nix's names where Nix has the store (`Dummy Store`). */
  readonly name: string;
  /** URL schemes it answers. `local` also gets `local`/paths, `unix` also gets `daemon`. */
  readonly schemes: readonly string[];
  readonly authority: AuthorityKind;
  /** For `path` authorities: the setting the path fills unless the query sets it (`root`). */
  readonly authoritySetting?: string;
  /** Its settings, in declaration order (build on `STORE_SETTINGS` with `extendSchema`). */
  readonly settings: SettingsSchema;
  /** A feature that must be enabled to open it (`local-overlay-store`). */
  readonly experimentalFeature?: string;
  /** What its stores can do. */
  readonly capabilities: readonly StoreCapability[];
  /** Capabilities demanded of the stores named by its store URL settings (`lower-store`). */
  readonly lowerStoreCapabilities?: Readonly<Record<string, readonly StoreCapability[]>>;
  /** Markdown documentation for `strata describe`. */
  readonly doc: string;
  /** The URL forms it accepts, for documentation (`dummy://`, `unix://`*path*). */
  readonly urlFormats: readonly string[];
  /**
   * The reference of an opened store, when the generic rendering does not fit (Nix's local
   * store says `local`, its daemon store `daemon?…` on the default socket).
   */
  renderReference?(config: StoreConfig): string;
  /** Builds a store from its resolved settings. */
  open(config: StoreConfig, context: StoreOpenContext): Store | Promise<Store>;
}

/** A plugin module's default export. */
export interface StorePlugin {
  /** Unique name, usually the package name. */
  readonly name: string;
  readonly version?: string;
  /** The @strata/core versions it was written for (a semver range, `^0.1.0`). */
  readonly core: string;
  readonly stores: readonly StoreImplementation[];
}

/** Identity function that gives a plugin literal its type. */
export function defineStorePlugin<P extends StorePlugin>(plugin: P): P {
  return plugin;
}

const SETTING_KINDS = new Set([
  'bool',
  'int',
  'size',
  'string',
  'optional-string',
  'path',
  'string-list',
  'string-set',
  'string-map',
  'feature-set',
  'enum',
  'store-url',
  'store-url-list',
]);
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const CAPABILITY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const AUTHORITY_KINDS = new Set(['none', 'path', 'url', 'any']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Why a default value does not fit its setting's type, or undefined when it does. */
function badDefault(def: SettingDef): string | undefined {
  const d = def.default;
  if (typeof d === 'function') return undefined;
  const ok = (() => {
    switch (def.type.kind) {
      case 'bool':
        return typeof d === 'boolean';
      case 'int':
        return typeof d === 'number' && Number.isInteger(d);
      case 'size':
        return typeof d === 'bigint' || (typeof d === 'number' && Number.isInteger(d));
      case 'string':
      case 'store-url':
        return typeof d === 'string';
      case 'enum':
        return typeof d === 'string' && def.type.values.includes(d);
      case 'optional-string':
        return d === undefined || typeof d === 'string';
      case 'path':
        return (
          (def.type.optional && d === undefined) || (typeof d === 'string' && d.startsWith('/'))
        );
      case 'string-list':
      case 'string-set':
      case 'feature-set':
      case 'store-url-list':
        return isStringArray(d);
      case 'string-map':
        return isRecord(d) && Object.values(d).every((x) => typeof x === 'string');
    }
  })();
  return ok
    ? undefined
    : `the default of setting '${def.name}' does not fit its type '${def.type.kind}'`;
}

function checkSetting(def: unknown, store: string): string | undefined {
  if (!isRecord(def)) return `store '${store}' has a setting that is not an object`;
  const name = def.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    return `store '${store}' has a setting with an invalid name ${JSON.stringify(name)}`;
  }
  const type = def.type;
  if (!isRecord(type) || typeof type.kind !== 'string' || !SETTING_KINDS.has(type.kind)) {
    return `setting '${name}' of store '${store}' has an unknown type ${JSON.stringify(type)}`;
  }
  if (type.kind === 'enum' && (!isStringArray(type.values) || type.values.length === 0)) {
    return `setting '${name}' of store '${store}' is an enum without values`;
  }
  if (typeof def.description !== 'string' || def.description.trim() === '') {
    return `setting '${name}' of store '${store}' has no description`;
  }
  if (def.aliases !== undefined && !isStringArray(def.aliases)) {
    return `setting '${name}' of store '${store}' has aliases that are not strings`;
  }
  if (def.experimentalFeature !== undefined) {
    if (
      typeof def.experimentalFeature !== 'string' ||
      !isExperimentalFeature(def.experimentalFeature)
    ) {
      return `setting '${name}' of store '${store}' is gated by the unknown experimental feature ${JSON.stringify(def.experimentalFeature)}`;
    }
  }
  if (!('default' in def)) return `setting '${name}' of store '${store}' has no default`;
  const bad = badDefault(def as unknown as SettingDef);
  return bad === undefined ? undefined : `${bad} (store '${store}')`;
}

function checkImplementation(impl: unknown, index: number): string | undefined {
  if (!isRecord(impl)) return `stores[${index}] is not an object`;
  const name = impl.name;
  if (typeof name !== 'string' || name.trim() === '') return `stores[${index}] has no name`;
  if (!isStringArray(impl.schemes) || impl.schemes.length === 0) {
    return `store '${name}' declares no URL schemes`;
  }
  for (const s of impl.schemes) {
    if (!SCHEME.test(s)) return `store '${name}' declares the invalid URL scheme '${s}'`;
  }
  if (new Set(impl.schemes).size !== impl.schemes.length) {
    return `store '${name}' declares a URL scheme twice`;
  }
  if (typeof impl.authority !== 'string' || !AUTHORITY_KINDS.has(impl.authority)) {
    return `store '${name}' has authority kind ${JSON.stringify(impl.authority)}; expected one of none, path, url, any`;
  }
  if (!Array.isArray(impl.settings)) return `store '${name}' has no settings schema`;
  const seen = new Map<string, string>();
  for (const def of impl.settings) {
    const bad = checkSetting(def, name);
    if (bad) return bad;
    const d = def as SettingDef;
    for (const n of [d.name, ...(d.aliases ?? [])]) {
      const other = seen.get(n);
      if (other !== undefined) {
        return `store '${name}' declares '${n}' twice (settings '${other}' and '${d.name}')`;
      }
      seen.set(n, d.name);
    }
  }
  const settings = impl.settings as SettingDef[];
  if (!settings.some((d) => d.name === 'store' && d.type.kind === 'path')) {
    return `store '${name}' lacks the common store settings (build its schema on STORE_SETTINGS)`;
  }
  if (impl.authoritySetting !== undefined) {
    const target = settings.find((d) => d.name === impl.authoritySetting);
    if (impl.authority !== 'path' || target === undefined || target.type.kind !== 'path') {
      return `store '${name}' has authoritySetting '${String(impl.authoritySetting)}', which must name one of its path settings (and needs authority 'path')`;
    }
  }
  if (impl.experimentalFeature !== undefined) {
    if (
      typeof impl.experimentalFeature !== 'string' ||
      !isExperimentalFeature(impl.experimentalFeature)
    ) {
      return `store '${name}' is gated by the unknown experimental feature ${JSON.stringify(impl.experimentalFeature)}`;
    }
  }
  if (!isStringArray(impl.capabilities) || !impl.capabilities.every((c) => CAPABILITY.test(c))) {
    return `store '${name}' has invalid capabilities ${JSON.stringify(impl.capabilities)}`;
  }
  if (impl.lowerStoreCapabilities !== undefined) {
    if (!isRecord(impl.lowerStoreCapabilities)) {
      return `store '${name}' has invalid lowerStoreCapabilities`;
    }
    for (const [setting, caps] of Object.entries(impl.lowerStoreCapabilities)) {
      const def = settings.find((d) => d.name === setting);
      if (def === undefined || def.type.kind !== 'store-url') {
        return `store '${name}' demands capabilities of '${setting}', which is not one of its store URL settings`;
      }
      if (!isStringArray(caps)) return `store '${name}' has invalid capabilities for '${setting}'`;
    }
  }
  if (typeof impl.doc !== 'string' || impl.doc.trim() === '')
    return `store '${name}' has no documentation`;
  if (!isStringArray(impl.urlFormats) || impl.urlFormats.length === 0) {
    return `store '${name}' lists no URL formats`;
  }
  if (typeof impl.open !== 'function') return `store '${name}' has no open function`;
  if (impl.renderReference !== undefined && typeof impl.renderReference !== 'function') {
    return `store '${name}' has a renderReference that is not a function`;
  }
  return undefined;
}

/**
 * Checks a plugin's default export and returns it typed; `origin` (a file, `built-in`) is
 * named in every error. Fails on a missing or malformed field, an invalid settings schema, an
 * unknown experimental feature, or a core version range this core does not satisfy.
 */
export function validatePluginManifest(value: unknown, origin: string): StorePlugin {
  const fail = (reason: string): never => {
    throw strataError('STRATA_ERR_PLUGIN_BAD_MANIFEST', { origin, reason });
  };
  if (!isRecord(value)) {
    return fail(
      'the module has no default export describing a plugin (expected an object with name, core and stores)',
    );
  }
  if (typeof value.name !== 'string' || value.name.trim() === '') fail('the plugin has no name');
  const name = value.name as string;
  if (value.version !== undefined && typeof value.version !== 'string') {
    fail(`plugin '${name}' has a version that is not a string`);
  }
  if (typeof value.core !== 'string' || !isValidRange(value.core)) {
    fail(
      `plugin '${name}' must say which @strata/core versions it supports ('core', a semver range such as '^${CORE_VERSION}')`,
    );
  }
  if (!satisfiesRange(CORE_VERSION, value.core as string)) {
    throw strataError(
      'STRATA_ERR_PLUGIN_CORE_VERSION',
      { plugin: name, range: value.core as string, version: CORE_VERSION },
      { hint: `update the plugin (loaded from ${origin}) or use a matching Strata`, plugin: name },
    );
  }
  if (!Array.isArray(value.stores) || value.stores.length === 0) {
    fail(`plugin '${name}' describes no stores`);
  }
  (value.stores as unknown[]).forEach((impl, i) => {
    const bad = checkImplementation(impl, i);
    if (bad) fail(`plugin '${name}': ${bad}`);
  });
  return value as unknown as StorePlugin;
}
