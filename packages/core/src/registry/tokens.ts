/**
 * Injection tokens of the store registry's containers. Injection is by explicit token only
 * (`@inject(GLOBAL_SETTINGS)`), never by emitted type metadata.
 *
 * - registry container: `STORE_REGISTRY`;
 * - composition container (one per opened composition): `OPEN_OPTIONS`, `GLOBAL_SETTINGS`,
 *   `ENABLED_FEATURES`, `ENVIRONMENT`, `WARN`, `COMPOSITION`;
 * - store container (one per store opened in it): `STORE_CONFIG`, `STORE_OPEN_CONTEXT`.
 */

import type { Composition } from './composition.js';
import type { InjectionToken } from './di.js';
import type { GlobalSettingsView, OpenOptions, StoreOpenContext } from './open-context.js';
import type { Warn } from './query.js';
import type { StoreRegistry } from './registry.js';
import type { StoreConfig } from './store-config.js';

export const STORE_REGISTRY: InjectionToken<StoreRegistry> = Symbol('strata.StoreRegistry');
export const OPEN_OPTIONS: InjectionToken<OpenOptions> = Symbol('strata.OpenOptions');
export const GLOBAL_SETTINGS: InjectionToken<GlobalSettingsView> = Symbol('strata.GlobalSettings');
export const ENABLED_FEATURES: InjectionToken<ReadonlySet<string>> = Symbol('strata.Features');
export const ENVIRONMENT: InjectionToken<Readonly<Record<string, string | undefined>>> =
  Symbol('strata.Environment');
export const WARN: InjectionToken<Warn> = Symbol('strata.Warn');
export const COMPOSITION: InjectionToken<Composition> = Symbol('strata.Composition');
export const STORE_CONFIG: InjectionToken<StoreConfig> = Symbol('strata.StoreConfig');
export const STORE_OPEN_CONTEXT: InjectionToken<StoreOpenContext> =
  Symbol('strata.StoreOpenContext');
