/**
 * `strata plugins`: what is loaded — each plugin with its version, where it came from (built
 * in, or the file and the configuration line that named it) and the store types and schemes
 * it provides. `--json` gives the same as an array.
 */
import type { StoreRegistry } from '@strata/core';
import type { Command } from 'commander';
import { type CliContext, printJson } from '../context.js';
import { loadStoreEnvironment } from '../store-registry.js';

/** The loaded plugins as data (the `--json` output). */
export function pluginList(registry: StoreRegistry) {
  return registry.plugins().map((p) => ({
    name: p.plugin.name,
    version: p.plugin.version ?? null,
    origin: p.origin,
    listedIn: p.listedIn ?? null,
    core: p.plugin.core,
    stores: p.plugin.stores.map((s) => ({
      name: s.name,
      schemes: [...s.schemes].sort(),
      experimentalFeature: s.experimentalFeature ?? null,
      capabilities: [...s.capabilities].sort(),
    })),
  }));
}

/** The loaded plugins as text. */
export function pluginListText(registry: StoreRegistry): string {
  let out = '';
  for (const p of pluginList(registry)) {
    const from = p.listedIn ? `${p.origin} (listed in ${p.listedIn})` : p.origin;
    out += `${p.name}${p.version ? ` ${p.version}` : ''}\n  from: ${from}\n`;
    for (const s of p.stores) {
      const gate = s.experimentalFeature ? ` [experimental: ${s.experimentalFeature}]` : '';
      out += `  ${s.name}: ${s.schemes.map((x) => `${x}://`).join(' ')}${gate}\n`;
    }
  }
  return out;
}

/** Registers `plugins`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('plugins')
    .description('list the loaded plugins, where they came from and the schemes they provide')
    .action(async () => {
      const { registry } = await loadStoreEnvironment(ctx);
      if (ctx.flags.json) printJson(ctx, pluginList(registry));
      else ctx.stdout.write(pluginListText(registry));
    });
}
