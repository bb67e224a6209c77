/**
 * `strata cat PATH`: prints a regular file inside the store like `nix store cat` (Nix 2.8),
 * streamed from the object's NAR; symlinks on the way are followed, as on a local store (a
 * symlink at the end is not a regular file, as in Nix).
 *
 * @example
 *   strata --store /tmp/root cat /nix/store/…-tree/a
 */
import { isStrataError } from '@strata/core/errors';
import { catNar } from '@strata/core/nar';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../open-store.js';
import { writeAll } from '../output.js';
import {
  fullPathError,
  requireValidObject,
  resolveStoreFile,
  storeObjectPath,
} from './store-files.js';

/** Failures of a path that a symlink on the way may explain. */
const SYMLINK_MAY_HELP = new Set([
  'STRATA_ERR_NAR_PATH_NOT_FOUND',
  'STRATA_ERR_NAR_PATH_NOT_IN_NAR',
]);

export function register(program: Command, ctx: CliContext): void {
  program
    .command('cat')
    .description('print a regular file inside the store (like nix store cat)')
    .argument('<path>', 'a store path or a path inside one')
    .action(async (path: string) => {
      await withStore(ctx, async (store) => {
        const { storePath, rest } = storeObjectPath(store, path);
        await requireValidObject(store, storePath);
        try {
          await writeAll(ctx.stdout, catNar(store.narFromPath(storePath), rest));
          return;
        } catch (e) {
          // Nothing was written: the file was not found as named. Through symlinks, then.
          if (!isStrataError(e) || !SYMLINK_MAY_HELP.has(e.code)) throw fullPathError(path, e);
        }
        const file = await resolveStoreFile(store, path, false);
        try {
          await writeAll(ctx.stdout, catNar(store.narFromPath(file.storePath), file.rest));
        } catch (e) {
          throw fullPathError(path, e);
        }
      });
    });
}
