/**
 * A composition: the stores opened together for one top-level store (an overlay, its lower
 * store, that store's lower store…), in their own child container. Within a composition a
 * store is opened once per distinct config key — two overlays over `@base` share one `@base`
 * — and a store that (directly or through others) needs itself while opening is a cycle.
 * Closing the composition closes every store in it, each once, top first.
 */

import { strataError } from '../errors.js';
import type { Store } from '../store/types.js';
import { type DependencyContainer, inject, injectable } from './di.js';
import type { GlobalSettingsView, OpenOptions, StoreOpenContext } from './open-context.js';
import type { Warn } from './query.js';
import type { StoreRegistry } from './registry.js';
import type { StoreConfig } from './store-config.js';
import {
  ENABLED_FEATURES,
  ENVIRONMENT,
  GLOBAL_SETTINGS,
  OPEN_OPTIONS,
  STORE_CONFIG,
  STORE_OPEN_CONTEXT,
  STORE_REGISTRY,
  WARN,
} from './tokens.js';

/** The stores opened together, sharing instances by config key. */
@injectable()
export class Composition {
  readonly #instances = new Map<string, Promise<Store>>();
  readonly #opened: Store[] = [];
  #container: DependencyContainer | undefined;
  #closed = false;

  constructor(
    @inject(STORE_REGISTRY) readonly registry: StoreRegistry,
    @inject(GLOBAL_SETTINGS) readonly globals: GlobalSettingsView,
    @inject(ENABLED_FEATURES) readonly features: ReadonlySet<string>,
    @inject(ENVIRONMENT) readonly env: Readonly<Record<string, string | undefined>>,
    @inject(WARN) readonly warn: Warn,
    @inject(OPEN_OPTIONS) readonly options: OpenOptions,
  ) {}

  /** Called once by the registry with the container this composition was resolved from. */
  attach(container: DependencyContainer): void {
    this.#container = container;
  }

  /** The composition's container (child of the registry's). */
  get container(): DependencyContainer {
    if (!this.#container) throw new Error('composition used before it was attached');
    return this.#container;
  }

  /** How many distinct stores are open (for tests and `strata info`). */
  get size(): number {
    return this.#opened.length;
  }

  /** Opens `config` (and, through its plugin, its lower stores), reusing an open instance. */
  open(
    config: StoreConfig,
    role: 'top' | 'lower' = 'top',
    stack: readonly string[] = [],
  ): Promise<Store> {
    if (this.#closed) throw new Error('composition is closed');
    if (stack.includes(config.key)) {
      throw strataError('STRATA_ERR_STORE_CYCLE', { chain: [...stack, config.key].join(' → ') });
    }
    const existing = this.#instances.get(config.key);
    if (existing) return existing;
    const opening = this.#openNew(config, role, [...stack, config.key]);
    this.#instances.set(config.key, opening);
    // A failed open must not leave a rejected promise behind for the next caller to reuse.
    opening.catch(() => this.#instances.delete(config.key));
    return opening;
  }

  async #openNew(
    config: StoreConfig,
    role: 'top' | 'lower',
    stack: readonly string[],
  ): Promise<Store> {
    const container = this.container.createChildContainer();
    const context: StoreOpenContext = {
      registry: this.registry,
      container,
      globals: this.globals,
      features: this.features,
      env: this.env,
      role,
      warn: this.warn,
      openLower: async (setting) => {
        const lower = config.lowerStores.get(setting);
        if (!lower) {
          throw new Error(
            `store '${config.implementation.name}' has no store URL setting '${setting}'`,
          );
        }
        return this.open(lower, 'lower', stack);
      },
      openStore: async (reference) => {
        const resolved = this.registry.resolve(reference, this.options);
        return this.open(resolved, 'lower', stack);
      },
    };
    container.register(STORE_CONFIG, { useValue: config });
    container.register(STORE_OPEN_CONTEXT, { useValue: context });
    const store = await config.implementation.open(config, context);
    this.#opened.push(store);
    return store;
  }

  /** Closes every store opened here, the most recently opened first. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const errors: unknown[] = [];
    for (const store of [...this.#opened].reverse()) {
      try {
        await store.close();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
