/**
 * `strata sign --key-file FILE [-r] PATH…`: signs paths with a secret key and adds the
 * signatures to the store, like `nix store sign`; ends with `added N signatures` on stderr
 * (paths already signed by that key count nothing).
 *
 * @example
 *   strata --store /tmp/root sign --key-file ./cache.sk -r ./result
 */
import { readFileSync } from 'node:fs';
import { computeClosure, parseSecretKey, signPathInfo } from '@strata/core';
import { strataError } from '@strata/core/errors';
import { ioError } from '@strata/core/io-error';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { localPathArg, resolveValidStorePathArg, withStore } from '../open-store.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('sign')
    .description('sign store paths with a secret key (like nix store sign)')
    .argument('<paths...>', 'store paths, paths inside the store, or symlinks to them')
    .option('-k, --key-file <file>', 'file holding the secret key')
    .option('-r, --recursive', 'sign the closures of the paths')
    .action(async (args: string[], opts: { keyFile?: string; recursive?: boolean }) => {
      if (opts.keyFile === undefined) {
        throw strataError('STRATA_ERR_CLI_USAGE', {
          message: "you must specify a secret key file using '-k'",
        });
      }
      const file = localPathArg(ctx, opts.keyFile);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw ioError('opening file', file, e);
      }
      const key = parseSecretKey(text);
      await withStore(ctx, async (store) => {
        let paths: string[] = [];
        for (const a of args) paths.push(await resolveValidStorePathArg(ctx, store, a));
        if (opts.recursive) paths = await computeClosure(store, paths);
        let added = 0;
        for (const path of paths) {
          const info = await store.queryPathInfo(path);
          const sig = signPathInfo(info, key);
          if (info.sigs.includes(sig)) continue;
          await store.addSignatures(path, [sig]);
          added++;
        }
        ctx.stderr.write(`added ${added} signatures\n`);
      });
    });
}
