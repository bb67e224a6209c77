/**
 * `strata import [--require-signature]`: reads a `nix-store --export` stream from stdin, adds
 * each path with its NAR and prints it, like `nix-store --import`. As there, signatures are
 * not required unless `--require-signature` is given (then the store's trusted keys decide).
 *
 * @example
 *   strata --store /tmp/a export ./result | strata --store /tmp/b import
 */
import type { Command } from 'commander';
import { type CliContext, println } from '../context.js';
import { readExport } from '../export-format.js';
import { withStore } from '../open-store.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('add the paths of a nix-store --export stream read from stdin')
    .option('--require-signature', 'refuse paths without a signature by a trusted key')
    .action(async (opts: { requireSignature?: boolean }) => {
      await withStore(ctx, async (store) => {
        for await (const item of readExport(ctx.stdin, store.storeDir)) {
          await store.addNar(item.info, item.nar(), { checkSigs: opts.requireSignature === true });
          println(ctx, item.info.path);
        }
      });
    });
}
