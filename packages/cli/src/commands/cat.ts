/**
 * `strata cat PATH`: prints a regular file inside the store like `nix store cat` (Nix 2.8),
 * streamed from the object's NAR.
 *
 * @example
 *   strata --store /tmp/root cat /nix/store/…-tree/a
 */
import { catNar } from '@strata/core/nar';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../open-store.js';
import { writeAll } from '../output.js';
import { fullPathError, storeObjectPath } from './store-files.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('cat')
    .description('print a regular file inside the store (like nix store cat)')
    .argument('<path>', 'a store path or a path inside one')
    .action(async (path: string) => {
      await withStore(ctx, async (store) => {
        const { storePath, rest } = storeObjectPath(store, path);
        await store.queryPathInfo(storePath);
        try {
          await writeAll(ctx.stdout, catNar(store.narFromPath(storePath), rest));
        } catch (e) {
          throw fullPathError(path, e);
        }
      });
    });
}
