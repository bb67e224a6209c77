/**
 * `strata dump PATH`: writes the NAR of a store path to stdout (`nix-store --dump` of a store
 * path, `nix store dump-path`), as the store serves it.
 *
 * @example
 *   strata --store /tmp/root dump ./result > result.nar
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { resolveValidStorePathArg, withStore } from '../open-store.js';
import { writeAll } from '../output.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('dump')
    .description('write the NAR of a store path to stdout (like nix store dump-path)')
    .argument('<path>', 'a store path, a path inside one, or a symlink to one')
    .action(async (arg: string) => {
      await withStore(ctx, async (store) => {
        const path = await resolveValidStorePathArg(ctx, store, arg);
        await writeAll(ctx.stdout, store.narFromPath(path));
      });
    });
}
