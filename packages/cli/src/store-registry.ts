/**
 * The CLI's store registry: the built-in plugins, then the plugins the configuration names
 * (the Strata config file's `plugins:`, nix.conf's `plugin-files`), loaded before any setting
 * is validated; and the options every store is opened with (global settings, features, named
 * stores). Commands that open or describe stores start here.
 *
 * @example
 *   const { registry, config, openOptions } = await loadStoreEnvironment(ctx);
 *   const store = await registry.openStore(ctx.flags.store ?? 'auto', openOptions);
 */

import { homedir } from 'node:os';
import { type Configuration, loadConfiguration } from '@strata/config';
import {
  loadPlugins,
  type OpenOptions,
  type Store,
  type StorePlugin,
  StoreRegistry,
} from '@strata/core';
// Named, not default, imports: the packages load as CommonJS bundles, whose default export
// Node-style interop would take to be the whole module.
import { dummyPlugin } from '@strata/plugin-dummy';
import { localPlugin } from '@strata/plugin-local';
import { localOverlayPlugin } from '@strata/plugin-local-overlay';
import { type CliContext, warn } from './context.js';

/** The plugins every registry starts with. */
export const BUILTIN_PLUGINS: readonly StorePlugin[] = [
  dummyPlugin,
  localPlugin,
  localOverlayPlugin,
];

/** A registry with the built-in plugins registered. */
export function createDefaultRegistry(): StoreRegistry {
  const registry = new StoreRegistry();
  for (const plugin of BUILTIN_PLUGINS) registry.register(plugin);
  return registry;
}

/** What commands that work with stores need. */
export interface StoreEnvironment {
  readonly registry: StoreRegistry;
  readonly config: Configuration;
  readonly openOptions: OpenOptions;
}

/** Loads the configuration, with its plugins registered, and prints its warnings. */
export async function loadStoreEnvironment(ctx: CliContext): Promise<StoreEnvironment> {
  const registry = createDefaultRegistry();
  const config = await loadConfiguration({
    env: ctx.env,
    cwd: ctx.cwd,
    flags: ctx.flags,
    beforeValidation: async (plugins) => {
      await loadPlugins(
        registry,
        plugins.map((p) => ({ specifier: p.resolved, origin: p.origin })),
        { cwd: ctx.cwd, warn: (m) => warn(ctx, m) },
      );
      return undefined;
    },
  });
  for (const w of config.warnings) warn(ctx, w);
  return {
    registry,
    config,
    openOptions: {
      globals: config.settings,
      features: config.experimentalFeatures,
      stores: config.namedStoreUrls,
      env: ctx.env,
      cwd: ctx.cwd,
      warn: (m) => warn(ctx, m),
    },
  };
}

/**
 * The embedded default store (DESIGN.md): a chroot store under the user's data directory,
 * `$XDG_DATA_HOME/strata/root` (else `~/.local/share/strata/root`), logical dir `/nix/store`.
 * It needs no root, no daemon and no configuration.
 */
export function embeddedDefaultStore(env: Readonly<Record<string, string | undefined>>): string {
  const data = env.XDG_DATA_HOME || `${env.HOME || homedir()}/.local/share`;
  return `local?root=${encodeURIComponent(`${data}/strata/root`)}`;
}

/**
 * The store a command works on: `--store`, else the configured `store` setting (nix.conf,
 * `NIX_CONFIG`, the config file), else the embedded default store.
 */
export function commandStoreReference(ctx: CliContext, environment: StoreEnvironment): string {
  if (ctx.flags.store !== undefined) return ctx.flags.store;
  const configured = environment.config.settings.get('store');
  if (configured !== undefined && configured.origin.kind !== 'default') {
    return configured.value as string;
  }
  return embeddedDefaultStore(ctx.env);
}

/** Opens the command's store (see {@link commandStoreReference}); close it when done. */
export async function openCommandStore(
  ctx: CliContext,
): Promise<{ store: Store; environment: StoreEnvironment }> {
  const environment = await loadStoreEnvironment(ctx);
  const store = await environment.registry.openStore(
    commandStoreReference(ctx, environment),
    environment.openOptions,
  );
  return { store, environment };
}
