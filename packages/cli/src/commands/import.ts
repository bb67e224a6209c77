/**
 * `strata import [--require-signature]`: reads a `nix-store --export` stream from stdin, adds
 * its paths in order and then prints them, like `nix-store --import`. As there, signatures are
 * not required unless `--require-signature` is given (then the store's trusted keys decide).
 * A store with `addNars` imports in batches; any other one path by path through `addNar`.
 * On failure the paths before the failing one are valid and nothing is printed, as with Nix.
 *
 * @example
 *   strata --store /tmp/a export ./result | strata --store /tmp/b import
 */
import type { AddNarOptions, Store } from '@strata/core';
import type { Command } from 'commander';
import { type CliContext, println } from '../context.js';
import { type ExportedPath, readExport } from '../export-format.js';
import { withStore } from '../open-store.js';

/** Adds `items` in order through `store.addNars`, or one `addNar` each; the paths, in order. */
export async function* addEach(
  store: Store,
  items: AsyncIterable<ExportedPath>,
  options: AddNarOptions,
): AsyncGenerator<string> {
  if (store.addNars !== undefined) {
    yield* store.addNars(items, options);
    return;
  }
  for await (const item of items) {
    await store.addNar(item.info, item.nar(), options);
    yield item.info.path;
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('add the paths of a nix-store --export stream read from stdin')
    .option('--require-signature', 'refuse paths without a signature by a trusted key')
    .action(async (opts: { requireSignature?: boolean }) => {
      await withStore(ctx, async (store) => {
        const items = readExport(ctx.stdin, store.storeDir);
        const added: string[] = [];
        const options = { checkSigs: opts.requireSignature === true };
        for await (const path of addEach(store, items, options)) added.push(path);
        if (added.length > 0) println(ctx, added.join('\n'));
      });
    });
}
