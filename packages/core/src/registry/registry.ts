/**
 * `StoreRegistry`: the one place schemes map to plugins. Registration checks a plugin's
 * manifest at once (a duplicate scheme is an error naming both plugins); `resolve` turns a
 * reference into a validated config tree without side effects; `openStore` opens it in a new
 * composition — a child of the registry's own tsyringe container, never tsyringe's global
 * container — so two compositions in one process never share state.
 *
 * @example
 *   const registry = new StoreRegistry();
 *   registry.register(dummyPlugin);                       // built-in
 *   await loadPlugins(registry, [{ specifier: './my-plugin.js', origin }]);
 *   const store = await registry.openStore('dummy://', { globals });
 *   …
 *   await registry.closeStore(store);
 */

import { strataError } from '../errors.js';
import type { Store } from '../store/types.js';
import { type AutoProbe, REAL_AUTO_PROBE } from './auto.js';
import { Composition } from './composition.js';
import { type DependencyContainer, tsyringeRootContainer as tsyringeRoot } from './di.js';
import type { OpenOptions } from './open-context.js';
import { type StoreImplementation, type StorePlugin, validatePluginManifest } from './plugin.js';
import type { StoreReference } from './reference.js';
import { featuresOf, type ResolveHost, resolveStoreConfig } from './resolve.js';
import type { StoreConfig } from './store-config.js';
import {
  COMPOSITION,
  ENABLED_FEATURES,
  ENVIRONMENT,
  GLOBAL_SETTINGS,
  OPEN_OPTIONS,
  STORE_REGISTRY,
  WARN,
} from './tokens.js';

/** A plugin as registered: its manifest and where it came from. */
export interface RegisteredPlugin {
  readonly plugin: StorePlugin;
  /** `built-in`, or the file it was loaded from. */
  readonly origin: string;
  /** What named it (a config file line, `plugin-files`), when loaded from configuration. */
  readonly listedIn?: string;
}

/** Options of the registry itself. */
export interface StoreRegistryOptions {
  /** File system probes for `auto` (tests replace them). */
  readonly autoProbe?: AutoProbe;
}

/** Maps schemes to plugins, resolves references, opens compositions. */
export class StoreRegistry implements ResolveHost {
  /** The registry's container; compositions are its children. */
  readonly container: DependencyContainer;
  readonly autoProbe: AutoProbe;
  readonly #plugins: RegisteredPlugin[] = [];
  readonly #byScheme = new Map<string, { implementation: StoreImplementation; plugin: string }>();
  readonly #compositions = new WeakMap<Store, Composition>();

  constructor(options: StoreRegistryOptions = {}) {
    // A private root: a child of tsyringe's global container in which nothing is ever
    // registered, so nothing leaks between registries.
    this.container = tsyringeRoot.createChildContainer();
    this.container.register(STORE_REGISTRY, { useValue: this });
    this.autoProbe = options.autoProbe ?? REAL_AUTO_PROBE;
  }

  /**
   * Registers a plugin after checking its manifest. Nothing changes when it fails: a bad
   * manifest, a name already registered, a store name or scheme some plugin already has.
   */
  register(manifest: unknown, origin = 'built-in', listedIn?: string): StorePlugin {
    const plugin = validatePluginManifest(
      manifest,
      origin === 'built-in' ? 'a built-in plugin' : origin,
    );
    const same = this.#plugins.find((p) => p.plugin.name === plugin.name);
    if (same) {
      throw strataError('STRATA_ERR_PLUGIN_DUPLICATE_NAME', {
        plugin: plugin.name,
        origin,
        other: same.origin,
      });
    }
    const names = new Map<string, string>();
    for (const p of this.#plugins)
      for (const s of p.plugin.stores) names.set(s.name, p.plugin.name);
    const schemes = new Map<string, string>();
    for (const impl of plugin.stores) {
      const otherName = names.get(impl.name);
      if (otherName !== undefined) {
        throw strataError(
          'STRATA_ERR_PLUGIN_DUPLICATE_STORE',
          { name: impl.name, plugin: plugin.name, other: otherName },
          { plugin: plugin.name },
        );
      }
      names.set(impl.name, plugin.name);
      for (const scheme of impl.schemes) {
        const other = this.#byScheme.get(scheme)?.plugin ?? schemes.get(scheme);
        if (other !== undefined) {
          throw strataError(
            'STRATA_ERR_PLUGIN_DUPLICATE_SCHEME',
            { scheme, plugin: plugin.name, other },
            { plugin: plugin.name, hint: `remove one of the two plugins from the configuration` },
          );
        }
        schemes.set(scheme, plugin.name);
      }
    }
    for (const impl of plugin.stores) {
      for (const scheme of impl.schemes) {
        this.#byScheme.set(scheme, { implementation: impl, plugin: plugin.name });
      }
    }
    this.#plugins.push({ plugin, origin, ...(listedIn === undefined ? {} : { listedIn }) });
    return plugin;
  }

  /** Registered plugins, in registration order. */
  plugins(): readonly RegisteredPlugin[] {
    return [...this.#plugins];
  }

  /** Every store implementation, sorted by name (Nix's lookup and documentation order). */
  implementations(): Array<{ implementation: StoreImplementation; plugin: string }> {
    return this.#plugins
      .flatMap((p) =>
        p.plugin.stores.map((implementation) => ({ implementation, plugin: p.plugin.name })),
      )
      .sort((a, b) => (a.implementation.name < b.implementation.name ? -1 : 1));
  }

  /** The implementation answering `scheme` (case-sensitive, as in Nix). */
  findScheme(scheme: string): { implementation: StoreImplementation; plugin: string } | undefined {
    return this.#byScheme.get(scheme);
  }

  /** Every registered scheme, sorted. */
  schemes(): string[] {
    return [...this.#byScheme.keys()].sort();
  }

  /** Resolves a reference to a validated config tree; opens nothing, writes nothing. */
  resolve(reference: string | StoreReference, options: OpenOptions = {}): StoreConfig {
    return resolveStoreConfig(this, reference, options);
  }

  /** A new, empty composition (its own child container) for opening related stores. */
  createComposition(options: OpenOptions = {}): Composition {
    const child = this.container.createChildContainer();
    child.register(OPEN_OPTIONS, { useValue: options });
    child.register(GLOBAL_SETTINGS, { useValue: options.globals ?? new Map() });
    child.register(ENABLED_FEATURES, { useValue: featuresOf(options) });
    child.register(ENVIRONMENT, { useValue: options.env ?? process.env });
    child.register(WARN, { useValue: options.warn ?? (() => {}) });
    const composition = child.resolve(Composition);
    composition.attach(child);
    child.register(COMPOSITION, { useValue: composition });
    return composition;
  }

  /**
   * Resolves and opens a store, with its lower stores, in a new composition. Release it with
   * {@link closeStore}. Nothing is opened when resolution fails.
   */
  async openStore(reference: string | StoreReference, options: OpenOptions = {}): Promise<Store> {
    const config = this.resolve(reference, options);
    const composition = this.createComposition(options);
    try {
      const store = await composition.open(config);
      this.#compositions.set(store, composition);
      return store;
    } catch (e) {
      await composition.close().catch(() => {});
      throw e;
    }
  }

  /** The composition a store from {@link openStore} was opened in. */
  compositionOf(store: Store): Composition | undefined {
    return this.#compositions.get(store);
  }

  /** Closes a store from {@link openStore} and every store of its composition. */
  async closeStore(store: Store): Promise<void> {
    const composition = this.#compositions.get(store);
    if (composition) {
      this.#compositions.delete(store);
      await composition.close();
    } else {
      await store.close();
    }
  }
}
