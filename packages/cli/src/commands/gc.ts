/**
 * `strata gc [--print-roots|--print-live|--print-dead] [--max-freed BYTES] [--dry-run]`: the
 * garbage collector, like `nix-store --gc`. The store's messages (`finding garbage collector
 * roots...`, `deleting '…'`) go to stderr as they come; stdout gets the roots (`LINK -> PATH`,
 * sorted by link), the live or dead paths (sorted), or after a collection Nix's summary
 * `N store paths deleted, X.XX MiB freed`. `--dry-run` is `--print-dead`. With `--json`:
 * `[{"link","target"}…]`, `[path…]`, or `{"deleted":[path…],"bytesFreed":N}`.
 *
 * @example
 *   strata --store /tmp/root gc --max-freed 100M
 */
import { compareBytewise, type GcOptions } from '@strata/core';
import { strataError } from '@strata/core/errors';
import { gcSummary, parseMaxFreed } from '@strata/plugin-local';
import type { Command } from 'commander';
import { type CliContext, printJson, println } from '../context.js';
import { withStore } from '../open-store.js';
import { startProgress } from '../progress.js';

interface GcFlags {
  printRoots?: boolean;
  printLive?: boolean;
  printDead?: boolean;
  dryRun?: boolean;
  maxFreed?: string;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description('delete unreachable store paths (like nix-store --gc)')
    .option('--print-roots', 'print the garbage collector roots')
    .option('--print-live', 'print the paths that are reachable from a root')
    .option('--print-dead', 'print the paths that would be deleted')
    .option('--dry-run', 'the same as --print-dead')
    .option('--max-freed <bytes>', 'stop after freeing this many bytes (K, M, G, T suffixes)')
    .action(async (opts: GcFlags) => {
      const modes = [opts.printRoots, opts.printLive, opts.printDead || opts.dryRun].filter(
        Boolean,
      );
      if (modes.length > 1)
        throw strataError('STRATA_ERR_CLI_USAGE', {
          message: "only one of '--print-roots', '--print-live' and '--print-dead' can be given",
        });
      const maxFreed = opts.maxFreed === undefined ? undefined : parseMaxFreed(opts.maxFreed);
      await withStore(ctx, async (store) => {
        if (opts.printRoots) {
          const lines: [string, string][] = [];
          const log = (line: string) => ctx.stderr.write(`${line}\n`);
          for (const [target, links] of await store.findRoots({ log }))
            for (const link of links) lines.push([link, target]);
          lines.sort((a, b) => compareBytewise(a[0], b[0]) || compareBytewise(a[1], b[1]));
          if (ctx.flags.json)
            printJson(
              ctx,
              lines.map(([link, target]) => ({ link, target })),
            );
          else for (const [link, target] of lines) println(ctx, `${link} -> ${target}`);
          return;
        }
        const action: GcOptions['action'] = opts.printLive
          ? 'return-live'
          : opts.printDead || opts.dryRun
            ? 'return-dead'
            : 'delete-dead';
        const progress = startProgress(ctx, 'collecting garbage');
        try {
          const result = await store.collectGarbage({
            action,
            ...progress.activity,
            ...(maxFreed === undefined ? {} : { maxFreed: maxFreed < 0n ? 0n : maxFreed }),
          });
          progress.finish();
          const paths = [...result.paths].sort(compareBytewise);
          if (ctx.flags.json) {
            printJson(
              ctx,
              action === 'delete-dead'
                ? { deleted: paths, bytesFreed: Number(result.bytesFreed) }
                : paths,
            );
          } else if (action === 'delete-dead') {
            println(ctx, gcSummary(result));
          } else for (const p of paths) println(ctx, p);
        } finally {
          progress.finish();
        }
      });
    });
}
