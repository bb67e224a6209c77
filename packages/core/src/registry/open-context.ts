/**
 * What opening a store needs from the outside — the effective global settings (from
 * @strata/config), enabled experimental features, named stores, the environment — and what a
 * plugin's `open` receives: its composition, from which it opens its lower stores.
 *
 * @example
 *   const store = await registry.openStore('local-overlay://?…', {
 *     globals, features: new Set(['local-overlay-store']),
 *     stores: new Map([['base', 'local:///srv/base']]),
 *   });
 */

import type { ResolvedSetting } from '../settings/types.js';
import type { Store } from '../store/types.js';
import type { DependencyContainer } from './di.js';
import type { Warn } from './query.js';
import type { StoreRegistry } from './registry.js';

/**
 * The effective global settings, read-only: canonical name → value with its origin (what
 * @strata/config produces from defaults, nix.conf, `NIX_CONFIG`, the config file and flags).
 */
export type GlobalSettingsView = ReadonlyMap<string, ResolvedSetting>;

/** Options for resolving and opening stores. */
export interface OpenOptions {
  /** Effective global settings (computed defaults such as `system-features` read them). */
  readonly globals?: GlobalSettingsView;
  /** Enabled experimental features; default: the `experimental-features` global. */
  readonly features?: ReadonlySet<string> | readonly string[];
  /** Named stores from the configuration: `@name` → store URL text. */
  readonly stores?: ReadonlyMap<string, string>;
  /** Environment for defaults (`NIX_STORE_DIR`, …) and `auto`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory for relative paths in references; default `process.cwd()`. */
  readonly cwd?: string;
  /** Receives warnings (dubious query items, alias conflicts, ignored gated settings). */
  readonly warn?: Warn;
}

/** What a plugin's `open` gets besides its config. */
export interface StoreOpenContext {
  readonly registry: StoreRegistry;
  /**
   * A container for this store, child of its composition's: `STORE_CONFIG` and
   * `STORE_OPEN_CONTEXT` are registered in it, so classes with `@inject` can be resolved here.
   */
  readonly container: DependencyContainer;
  readonly globals: GlobalSettingsView;
  readonly features: ReadonlySet<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `lower` when opened as another store's store URL setting: such a store is never written. */
  readonly role: 'top' | 'lower';
  warn(message: string): void;
  /** Opens the store named by one of this store's store URL settings; shared in the composition. */
  openLower(setting: string): Promise<Store>;
  /** Opens any store by reference inside this composition (shared, cycle-checked). */
  openStore(reference: string): Promise<Store>;
}
