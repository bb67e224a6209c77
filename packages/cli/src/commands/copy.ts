/**
 * `strata copy [--from URL] [--to URL] [--no-check-sigs] [--no-recursive] PATH…`: copies the
 * closures of paths between any two stores, like `nix copy`; `--from` and `--to` default to
 * the command's store. Paths the destination has are skipped; references arrive first.
 *
 * @example
 *   strata copy --from /tmp/a --to /tmp/b ./result
 */
import { copyClosure, type Store } from '@strata/core';
import { strataError } from '@strata/core/errors';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { openStore, resolveStorePathArg } from '../open-store.js';
import { startProgress } from '../progress.js';

interface CopyFlags {
  from?: string;
  to?: string;
  checkSigs: boolean;
  recursive: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('copy')
    .description('copy closures between stores (like nix copy)')
    .argument('<paths...>', 'paths in the source store, or symlinks to them')
    .option('--from <url>', 'the source store (default: the command store)')
    .option('--to <url>', 'the destination store (default: the command store)')
    .option('--no-check-sigs', 'do not require signatures by trusted keys')
    .option('--no-recursive', 'copy only the paths, not their closures')
    .action(async (args: string[], opts: CopyFlags) => {
      if (opts.from === undefined && opts.to === undefined) {
        throw strataError('STRATA_ERR_CLI_USAGE', {
          message: "you must pass '--from' and/or '--to'",
        });
      }
      const opened: Store[] = [];
      try {
        const from = await openStore(ctx, opts.from);
        opened.push(from);
        const to = await openStore(ctx, opts.to);
        opened.push(to);
        const paths = args.map((a) => resolveStorePathArg(ctx, from, a));
        const progress = startProgress(ctx, 'copying');
        let done = 0;
        try {
          await copyClosure(from, to, paths, {
            ...(opts.checkSigs ? {} : { checkSigs: false }),
            noRecursive: !opts.recursive,
            onCopied: () => progress.activity.progress?.(++done, 0),
          });
        } finally {
          progress.finish();
        }
      } finally {
        for (const s of opened) await s.close();
      }
    });
}
