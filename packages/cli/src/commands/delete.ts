/**
 * `strata delete [--ignore-liveness] PATH…`: deletes the given paths if nothing keeps them
 * alive, like `nix-store --delete`, printing `deleting '…'` lines on stderr and Nix's summary
 * on stdout (also when a path is still alive, then with Nix's error and exit status 1).
 *
 * @example
 *   strata --store /tmp/root delete ./result
 */
import { gcSummary, partialGcResult } from '@strata/plugin-local';
import type { Command } from 'commander';
import { type CliContext, println } from '../context.js';
import { resolveStorePathArg, withStore } from '../open-store.js';
import { startProgress } from '../progress.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('delete store paths that nothing keeps alive (like nix-store --delete)')
    .argument('[paths...]', 'store paths, paths inside the store, or symlinks to them')
    .option('--ignore-liveness', 'do not consider garbage collector roots')
    .action(async (args: string[], opts: { ignoreLiveness?: boolean }) => {
      await withStore(ctx, async (store) => {
        const paths = args.map((a) => resolveStorePathArg(ctx, store, a));
        const progress = startProgress(ctx, 'deleting');
        let summary = gcSummary({ paths: [], bytesFreed: 0n });
        try {
          const result = await store.collectGarbage({
            action: 'delete-specific',
            paths,
            ignoreLiveness: opts.ignoreLiveness === true,
            ...progress.activity,
          });
          summary = gcSummary(result);
        } catch (e) {
          // What was deleted before a path turned out to be alive still counts, as in Nix.
          const partial = partialGcResult(e);
          if (partial !== undefined) summary = gcSummary(partial);
          throw e;
        } finally {
          progress.finish();
          // Nix prints the summary even when the collector fails (from a destructor).
          println(ctx, summary);
        }
      });
    });
}
