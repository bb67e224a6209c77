/**
 * `strata info`: what the store is, like `nix store ping`: `Store URL: …`, and for daemon
 * stores the daemon's version and whether it trusts us. `--json` prints the same as an object.
 *
 * @example
 *   strata --store /tmp/root info     # Store URL: local
 */
import type { Command } from 'commander';
import { type CliContext, printJson, println } from '../context.js';
import { withStore } from '../open-store.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('check that a store can be opened and show what it is (like nix store ping)')
    .action(async () => {
      await withStore(ctx, async (store) => {
        const info = await store.getInfo();
        if (ctx.flags.json) {
          printJson(ctx, {
            url: info.url,
            storeDir: info.storeDir,
            ...(info.version === undefined ? {} : { version: info.version }),
            ...(info.trusted === undefined ? {} : { trusted: info.trusted }),
          });
          return;
        }
        println(ctx, `Store URL: ${info.url}`);
        println(ctx, `Store dir: ${info.storeDir}`);
        if (info.version !== undefined) println(ctx, `Version: ${info.version}`);
        if (info.trusted !== undefined) println(ctx, `Trusted: ${info.trusted ? 1 : 0}`);
      });
    });
}
