/**
 * `StoreConfig`: a store's resolved settings — pure data, validated, printable, holding no
 * handles (STYLE.md §1). The registry builds one from a reference; a plugin's `open` turns it
 * into a live store. Store URL settings (`lower-store`) are resolved too, into nested configs,
 * so a whole composition is checked before anything is opened.
 *
 * @example
 *   const config = registry.resolve('dummy://?priority=7');
 *   config.get<number>('priority')   // 7
 *   config.renderReference()         // 'dummy://?priority=7'
 */
import { renderSettingValue } from '../settings/parse.js';
import type { ResolvedSetting, SettingValue } from '../settings/types.js';
import type { StoreImplementation } from './plugin.js';
import { makeStoreReference, renderStoreReference, type StoreReference } from './reference.js';

/** The parts a {@link StoreConfig} is made of. */
export interface StoreConfigInit {
  readonly implementation: StoreImplementation;
  readonly plugin: string;
  readonly scheme: string;
  /** Encoded authority-and-path as written after `scheme://`. */
  readonly authority: string;
  /** For `path` authorities: the decoded, canonical absolute path (undefined when empty). */
  readonly authorityPath?: string;
  /** For `url` authorities: the canonical URL (trailing empty path segments dropped). */
  readonly authorityUrl?: string;
  /** The reference this config was resolved from (after `@name` and `auto`). */
  readonly reference: StoreReference;
  /** The `@name` it was reached through, if any. */
  readonly namedAs?: string;
  readonly settings: ReadonlyMap<string, ResolvedSetting>;
  readonly lowerStores: ReadonlyMap<string, StoreConfig>;
}

/** A store's resolved settings and identity. */
export class StoreConfig implements StoreConfigInit {
  readonly implementation: StoreImplementation;
  readonly plugin: string;
  readonly scheme: string;
  readonly authority: string;
  readonly authorityPath?: string;
  readonly authorityUrl?: string;
  readonly reference: StoreReference;
  readonly namedAs?: string;
  readonly settings: ReadonlyMap<string, ResolvedSetting>;
  readonly lowerStores: ReadonlyMap<string, StoreConfig>;
  /**
   * Identity within a composition: two configs with the same key are one store. Built from
   * scheme, authority and the explicitly set settings (lower stores by their own keys).
   */
  readonly key: string;

  constructor(init: StoreConfigInit) {
    this.implementation = init.implementation;
    this.plugin = init.plugin;
    this.scheme = init.scheme;
    this.authority = init.authority;
    if (init.authorityPath !== undefined) this.authorityPath = init.authorityPath;
    if (init.authorityUrl !== undefined) this.authorityUrl = init.authorityUrl;
    this.reference = init.reference;
    if (init.namedAs !== undefined) this.namedAs = init.namedAs;
    this.settings = init.settings;
    this.lowerStores = init.lowerStores;
    // `local:///r` and `local?root=/r` are one store: the path moved into its setting.
    const moved =
      this.implementation.authoritySetting !== undefined && this.authorityPath !== undefined;
    this.key = renderStoreReference(
      makeStoreReference(
        { kind: 'specified', scheme: this.scheme, authority: moved ? '' : this.authority },
        this.givenParams(true, (name) => this.lowerStores.get(name)?.key),
      ),
    );
  }

  /** The value of setting `name` (throws on a name the store does not have: a plugin bug). */
  get<T extends SettingValue = SettingValue>(name: string): T {
    const s = this.settings.get(name);
    if (s === undefined) {
      throw new Error(`store '${this.implementation.name}' has no setting '${name}'`);
    }
    return s.value as T;
  }

  /** True when the user gave `name` (in the URL), rather than it taking its default. */
  isOverridden(name: string): boolean {
    return this.settings.get(name)?.overridden === true;
  }

  /** Settings the user gave (`withUrlPath`: also those the URL's path filled). */
  private givenParams(
    withUrlPath: boolean,
    lowerKey: (name: string) => string | undefined,
  ): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [name, s] of this.settings) {
      if (!s.overridden && !(withUrlPath && s.origin.kind === 'url')) continue;
      out.push([name, lowerKey(name) ?? renderSettingValue(s.def, s.value)]);
    }
    return out;
  }

  /**
   * The reference of the opened store (Nix's `getReference()`, spec §1.4): scheme and
   * authority with the explicitly set settings in their printed form; `local`/`daemon` stay
   * words when nothing was set.
   */
  renderReference(): string {
    const custom = this.implementation.renderReference?.(this);
    if (custom !== undefined) return custom;
    const params = this.givenSettings();
    const v = this.reference.variant;
    if (params.length === 0 && (v.kind === 'local' || v.kind === 'daemon')) return v.kind;
    // A local store with no settings given is `local`, however it was named (`/r`, `local:///r`).
    if (params.length === 0 && this.scheme === 'local') return 'local';
    // A path that went into a setting (`local:///r` → root) is not rendered back, as in Nix.
    const moved =
      this.implementation.authoritySetting !== undefined && this.authorityPath !== undefined;
    return renderStoreReference(
      makeStoreReference(
        { kind: 'specified', scheme: this.scheme, authority: moved ? '' : this.authority },
        params,
      ),
    );
  }

  /** The settings the user gave, printed as Nix prints them (for custom renderings). */
  givenSettings(): Array<[string, string]> {
    return this.givenParams(false, () => undefined);
  }
}
