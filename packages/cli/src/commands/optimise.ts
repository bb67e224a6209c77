/**
 * `strata optimise`: hard-links identical files of the store, like `nix-store --optimise`;
 * warnings go to stderr as they come, then Nix's `X.XX MiB freed by hard-linking N files`.
 *
 * @example
 *   strata --store /tmp/root optimise
 */
import { optimiseSummary } from '@strata/plugin-local';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../open-store.js';
import { startProgress } from '../progress.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('optimise')
    .alias('optimize')
    .description('hard-link identical files in the store (like nix-store --optimise)')
    .action(async () => {
      await withStore(ctx, async (store) => {
        const progress = startProgress(ctx, 'optimising');
        try {
          const result = await store.optimise(progress.activity);
          progress.finish();
          ctx.stderr.write(`${optimiseSummary(result)}\n`);
        } finally {
          progress.finish();
        }
      });
    });
}
