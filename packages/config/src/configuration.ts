/**
 * The result of loading configuration: every global setting with its effective value, origin
 * and `overridden` flag, plus what the Strata config file adds (named stores, plugins, overlay
 * mounts). Immutable; the CLI builds one per invocation with `loadConfiguration`.
 *
 * @example
 *   config.get('cores')                  // 4
 *   config.setting('cores')?.origin      // { kind: 'nix.conf', file: '/etc/nix/nix.conf', line: 3 }
 *   config.resolveNamedStore('ci')       // 'local://?root=/srv/ci'
 */
import {
  compareBytes,
  type ResolvedSetting,
  renderSettingValue,
  type SettingDef,
  type SettingValue,
  type StoreReference,
  strataError,
} from '@strata/core';
import { resolveNamedStoreReference, resolveNamedStoreUrl } from './named-stores.js';
import type { NamedStore, OverlayMountSpec, PluginReference } from './strata-file/contents.js';

/** Which configuration sources were consulted. */
export interface ConfigurationSources {
  /** `$NIX_CONF_DIR/nix.conf` (read if it exists). */
  readonly systemFile: string;
  /** The user nix.conf files, most important first (read if they exist). */
  readonly userFiles: readonly string[];
  /** Whether `NIX_CONFIG` was set. */
  readonly nixConfig: boolean;
  /** The Strata config file, when one was found. */
  readonly strataFile?: string;
}

/** Renders a value as Nix's `to_string` does; maps print sorted by key, as Nix's std::map. */
export function renderValue(def: SettingDef, value: SettingValue): string {
  if (def.type.kind === 'string-map' && value !== undefined) {
    return Object.entries(value as Record<string, string>)
      .sort(([a], [b]) => compareBytes(a, b))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  }
  return renderSettingValue(def, value);
}

/** Loaded configuration. */
export class Configuration {
  private readonly byName = new Map<string, ResolvedSetting>();

  constructor(
    /** Every setting by canonical name, sorted by name. */
    readonly settings: ReadonlyMap<string, ResolvedSetting>,
    /** Warnings to print once (`unknown setting '…'`, downgraded `--option` errors, …). */
    readonly warnings: readonly string[],
    /** Plugins named by the configuration, in order: the Strata file's, then `plugin-files`. */
    readonly plugins: readonly PluginReference[],
    /** Named stores of the Strata config file, usable as `--store @name`. */
    readonly namedStores: ReadonlyMap<string, NamedStore>,
    /**
     * Each named store as one store URL (nested stores rendered in): what the registry's
     * `OpenOptions.stores` takes.
     */
    readonly namedStoreUrls: ReadonlyMap<string, string>,
    /** Overlay mounts of the Strata config file, validated, with origins. */
    readonly overlays: readonly OverlayMountSpec[],
    /** Which files and variables were consulted. */
    readonly sources: ConfigurationSources,
    private readonly defaults: ReadonlyMap<string, SettingValue>,
    private readonly cwd: string,
  ) {
    for (const s of settings.values()) {
      for (const n of [s.def.name, ...(s.def.aliases ?? [])]) this.byName.set(n, s);
    }
  }

  /** The enabled experimental features. */
  get experimentalFeatures(): ReadonlySet<string> {
    return new Set(this.get('experimental-features') as readonly string[]);
  }

  /** The setting answering to `name` (canonical or alias), or undefined. */
  setting(name: string): ResolvedSetting | undefined {
    return this.byName.get(name);
  }

  /** A setting's default value as computed for this process (by canonical name or alias). */
  defaultValue(name: string): SettingValue {
    const s = this.byName.get(name);
    return s === undefined ? undefined : this.defaults.get(s.def.name);
  }

  /** The effective value of a setting (by name or alias); throws for an unknown name. */
  get<T extends SettingValue = SettingValue>(name: string): T {
    const s = this.byName.get(name);
    if (!s) throw strataError('STRATA_ERR_SETTING_UNKNOWN', { name, where: '' });
    return s.value as T;
  }

  /** A setting's value as text, exactly as `nix show-config` prints it. */
  render(name: string): string {
    const s = this.byName.get(name);
    if (!s) throw strataError('STRATA_ERR_SETTING_UNKNOWN', { name, where: '' });
    return renderValue(s.def, s.value);
  }

  /**
   * The settings a user source set (not defaults, not the system nix.conf), as name and text:
   * what a daemon client forwards (spec/config-and-urls.md §4.9).
   */
  overriddenSettings(): Array<[name: string, text: string]> {
    return [...this.settings.values()]
      .filter((s) => s.overridden)
      .map((s) => [s.def.name, renderValue(s.def, s.value)]);
  }

  /** The store URL of a named store (`ci` or `@ci`), nested stores percent-encoded inside. */
  resolveNamedStore(name: string): string {
    return resolveNamedStoreUrl(name.replace(/^@/, ''), this.namedStores, { cwd: this.cwd });
  }

  /** The parsed store reference of a named store (`ci` or `@ci`). */
  resolveNamedStoreReference(name: string): StoreReference {
    return resolveNamedStoreReference(name.replace(/^@/, ''), this.namedStores, { cwd: this.cwd });
  }
}
