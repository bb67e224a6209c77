/**
 * `strata export PATH…`: writes the given paths (not their closures) to stdout in the
 * `nix-store --export` format, references first; `nix-store --import` and `strata import`
 * read it back.
 *
 * @example
 *   strata --store /tmp/a export $(strata --store /tmp/a query requisites ./result) > closure.export
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { exportPaths } from '../export-format.js';
import { resolveValidStorePathArg, withStore } from '../open-store.js';
import { writeAll } from '../output.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('write paths to stdout in the nix-store --export format')
    .argument('[paths...]', 'store paths, paths inside the store, or symlinks to them')
    .action(async (args: string[]) => {
      await withStore(ctx, async (store) => {
        const paths: string[] = [];
        for (const a of args) paths.push(await resolveValidStorePathArg(ctx, store, a));
        await writeAll(ctx.stdout, exportPaths(store, paths));
      });
    });
}
