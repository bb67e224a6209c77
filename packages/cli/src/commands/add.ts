/**
 * `strata add PATH… [--name N] [--flat] [--text]`: adds files or trees to the store and prints
 * their store paths, like `nix-store --add` (NAR-hashed, the default), `nix-store --add-fixed
 * sha256` (`--flat`: the file's own bytes hashed) or `builtins.toFile` (`--text`: a text object
 * whose references are the valid store paths its contents mention). `--json`: one array of
 * the paths.
 *
 * @example
 *   strata --store /tmp/root add ./src              # /nix/store/…-src
 *   strata --store /tmp/root add --text notes.txt   # /nix/store/…-notes.txt, with references
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Store } from '@strata/core';
import { strataError } from '@strata/core/errors';
import { ioError } from '@strata/core/io-error';
import { hashPartsIn } from '@strata/core/references';
import type { Command } from 'commander';
import { type CliContext, printJson, println } from '../context.js';
import { withStore } from '../open-store.js';
import { startProgress } from '../progress.js';

interface AddFlags {
  name?: string;
  flat?: boolean;
  text?: boolean;
}

/** Adds `file` as a text object whose references are the valid paths it mentions. */
async function addText(store: Store, file: string, name: string): Promise<string> {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    throw ioError('opening file', file, e);
  }
  return store.addTextToStore(name, text, await mentionedValidPaths(store, text));
}

/**
 * The valid store paths whose hash part occurs in `text`. Each hash part found is looked up,
 * rather than the text scanned for every valid path: a layered store (an overlay) lists only
 * its own layer's paths, yet references may be to any layer's.
 */
async function mentionedValidPaths(store: Store, text: Uint8Array): Promise<string[]> {
  const found = new Set<string>();
  for (const part of hashPartsIn(text)) {
    const path = await store.queryPathFromHashPart(part);
    if (path !== undefined) found.add(path);
  }
  return [...found];
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('add')
    .description('add files or trees to the store and print their paths (like nix-store --add)')
    .argument('<paths...>', 'files or directories to add')
    .option('--name <name>', 'store path name (default: the base name of each path)')
    .option('--flat', "hash the file's contents rather than its NAR (like --add-fixed sha256)")
    .option('--text', 'add a file as a text object with the store paths it mentions as references')
    .action(async (paths: string[], opts: AddFlags) => {
      if (opts.flat && opts.text) {
        throw strataError('STRATA_ERR_CLI_USAGE', {
          message: "'--flat' and '--text' cannot be used together",
        });
      }
      const added: string[] = [];
      // With --json the paths are printed together at the end, as one array.
      const report = (path: string) => {
        if (ctx.flags.json) added.push(path);
        else println(ctx, path);
      };
      await withStore(ctx, async (store) => {
        for (const p of paths) {
          // Nix makes arguments absolute first: its messages name the absolute path.
          const source = resolve(ctx.cwd, p);
          const name = opts.name ?? basename(source);
          if (opts.text) {
            report(await addText(store, source, name));
            continue;
          }
          const progress = startProgress(ctx, `adding ${name}`);
          try {
            const info = await store.addToStore(source, {
              name,
              method: opts.flat ? 'flat' : 'recursive',
              activity: progress.activity,
            });
            report(info.path);
          } finally {
            progress.finish();
          }
        }
      });
      if (ctx.flags.json) printJson(ctx, added);
    });
}
