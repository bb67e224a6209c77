/**
 * `strata verify [--check-contents] [--repair] [PATH…]`: without paths, checks the whole store
 * against its database like `nix-store --verify` (the store's messages on stderr as found,
 * then `warning: not all store errors were fixed` and exit status 1 if errors remain); with
 * paths, re-hashes each like `nix-store --verify-path` (`path '…' was modified! …`, status 1).
 *
 * @example
 *   strata --store /tmp/root verify --check-contents
 */
import type { Store } from '@strata/core';
import { strataError } from '@strata/core/errors';
import { createHasher } from '@strata/core/hash';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { exitWithStatus } from '../exit-status.js';
import { resolveStorePathArg, withStore } from '../open-store.js';
import { startProgress } from '../progress.js';

/** Re-hashes `path`'s NAR; returns Nix's message when it differs from the recorded hash. */
async function verifyPath(store: Store, path: string): Promise<string | undefined> {
  const info = await store.queryPathInfo(path);
  const hasher = createHasher(info.narHash.algorithm);
  for await (const chunk of store.narFromPath(path)) hasher.update(chunk);
  const got = hasher.digest();
  if (got.equals(info.narHash)) return undefined;
  return `path '${path}' was modified! expected hash '${info.narHash.toString('base32')}', got '${got.toString('base32')}'`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description(
      'check the store (or the given paths) against the database (like nix-store --verify)',
    )
    .argument('[paths...]', 'paths to re-hash (nix-store --verify-path); none: the whole store')
    .option('--check-contents', 'also hash the contents of every path')
    .option('--repair', 'repair what can be repaired')
    .action(async (args: string[], opts: { checkContents?: boolean; repair?: boolean }) => {
      if (args.length > 0 && (opts.checkContents || opts.repair)) {
        throw strataError('STRATA_ERR_CLI_USAGE', {
          message: "'--check-contents' and '--repair' apply to the whole store: give no paths",
        });
      }
      const failed = await withStore(ctx, async (store) => {
        if (args.length > 0) {
          let bad = false;
          for (const a of args) {
            const message = await verifyPath(store, resolveStorePathArg(ctx, store, a));
            if (message !== undefined) {
              ctx.stderr.write(`${message}\n`);
              bad = true;
            }
          }
          return bad;
        }
        const progress = startProgress(ctx, 'verifying');
        try {
          const result = await store.verify({
            checkContents: opts.checkContents === true,
            repair: opts.repair === true,
            ...progress.activity,
          });
          progress.finish();
          if (result.errors) ctx.stderr.write('warning: not all store errors were fixed\n');
          return result.errors;
        } finally {
          progress.finish();
        }
      });
      if (failed) exitWithStatus(1);
    });
}
