/**
 * `strata config show [NAME]`: the effective configuration and where each value came from.
 *
 * - `strata config show`: every setting as `name = value`, sorted like `nix show-config`; a
 *   value that is not the default ends with `  # from <origin>` (file:line, `$NIX_CONFIG:2`,
 *   `--option cores`, the Strata config file and key), so the listing stays greppable and is
 *   itself valid nix.conf. `--no-origins` prints exactly what `nix show-config` prints.
 * - `strata config show NAME`: the value alone (NAME may be an alias).
 * - `--json`: an object keyed by name with `value`, `origin`, `overridden`, `defaultValue`,
 *   `documentDefault`, `description`, `aliases`; with NAME, that one object.
 *
 * Loading warnings (unknown settings, downgraded `--option` errors) go to stderr.
 */
import { type Configuration, settingJson, showConfigText } from '@strata/config';
import { strataError, stringifyJson } from '@strata/core';
import type { Command } from 'commander';
import { type CliContext, println } from '../context.js';
import { loadStoreEnvironment } from '../store-registry.js';

/** The configuration with its plugins loaded, as Nix 2.8 loads `plugin-files` for show-config. */
async function load(ctx: CliContext): Promise<Configuration> {
  return (await loadStoreEnvironment(ctx)).config;
}

/** Registers `config show`. */
export function register(program: Command, ctx: CliContext): void {
  const config = program
    .command('config')
    .description('the effective configuration: values and where they came from');
  config
    .command('show')
    .description('print every effective setting (or one) with the origin of its value')
    .argument('[name]', 'print only this setting (its value; or its JSON entry with --json)')
    .option('--no-origins', "leave out the '# from …' comments (output as `nix show-config`)")
    .action(async (name: string | undefined, opts: { origins: boolean }) => {
      const cfg = await load(ctx);
      if (name !== undefined) {
        const entry = settingJson(cfg, name);
        if (!entry) throw strataError('STRATA_ERR_SETTING_UNKNOWN', { name, where: '' });
        println(ctx, ctx.flags.json ? stringifyJson(entry) : cfg.render(name));
        return;
      }
      if (ctx.flags.json) {
        const all: Record<string, unknown> = {};
        for (const n of cfg.settings.keys()) all[n] = settingJson(cfg, n);
        println(ctx, stringifyJson(all));
        return;
      }
      ctx.stdout.write(showConfigText(cfg, { origins: opts.origins }));
    });
}
