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
import { type Configuration, loadConfiguration } from '@strata/config';
import { loadPlugins, type OpenOptions, type StorePlugin, StoreRegistry } from '@strata/core';
import dummyPlugin from '@strata/plugin-dummy';
import { type CliContext, warn } from './context.js';

/** The plugins every registry starts with. */
export const BUILTIN_PLUGINS: readonly StorePlugin[] = [dummyPlugin];

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
