/**
 * `strata path-from-hash-part HASH`: the valid store path with this hash part, like `nix store
 * path-from-hash-part` (which Nix 2.8 does not have yet; the message is Nix's later one).
 *
 * @example
 *   strata --store /tmp/root path-from-hash-part i9pmrzmpshapij2kin22pff6fc2adavx
 */
import { strataError } from '@strata/core/errors';
import type { Command } from 'commander';
import { type CliContext, println } from '../context.js';
import { withStore } from '../open-store.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('path-from-hash-part')
    .description('print the valid store path with the given hash part')
    .argument('<hash-part>', 'the 32 characters after the store directory')
    .action(async (hashPart: string) => {
      await withStore(ctx, async (store) => {
        const path = await store.queryPathFromHashPart(hashPart);
        if (path === undefined)
          throw strataError('STRATA_ERR_CLI_NO_PATH_FOR_HASH_PART', { hashPart });
        println(ctx, path);
      });
    });
}
