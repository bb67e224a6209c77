/**
 * `strata describe [SCHEME]`: documentation of every store type (or the one answering
 * SCHEME) and its settings, generated from the plugins' schemas — the layout of Nix's
 * `nix describe-stores` plus schemes, URL forms, types and experimental features. `--json`
 * gives master's per-store object with a `type` per setting.
 */
import {
  describeStores,
  describeStoresJson,
  describeStoresText,
  type SettingValue,
  strataError,
  stringifyJson,
} from '@strata/core';
import type { Command } from 'commander';
import { type CliContext, println } from '../context.js';
import { loadStoreEnvironment } from '../store-registry.js';

/** Registers `describe`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('document the store types and their settings')
    .argument('[scheme]', 'only the store type answering this URL scheme (dummy, local, …)')
    .action(async (scheme: string | undefined) => {
      const { registry, config } = await loadStoreEnvironment(ctx);
      let impls = registry.implementations();
      if (scheme !== undefined) {
        const found = registry.findScheme(scheme.replace(/:\/\/$/, ''));
        if (!found) {
          throw strataError(
            'STRATA_ERR_STORE_UNKNOWN_SCHEME',
            { scheme },
            { hint: `the registered schemes are: ${registry.schemes().join(', ')}` },
          );
        }
        impls = [found];
      }
      const global: Record<string, SettingValue> = {};
      for (const [name, s] of config.settings) global[name] = s.value;
      const docs = describeStores(impls, { env: ctx.env, global });
      if (ctx.flags.json)
        println(ctx, stringifyJson(describeStoresJson(docs, config.experimentalFeatures)));
      else ctx.stdout.write(describeStoresText(docs));
    });
}
