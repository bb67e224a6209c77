/**
 * `strata nar dump|restore|ls|cat`: NAR archives as `nix-store --dump/--restore` and
 * `nix nar ls/cat` handle them.
 */
import { resolve } from 'node:path';
import { dumpPath } from '@strata/core';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { writeAll } from '../output.js';

export function register(program: Command, ctx: CliContext): void {
  const nar = program.command('nar').description('create, unpack and inspect NAR archives');
  nar
    .command('dump')
    .description('write the NAR serialisation of a path to stdout (like nix-store --dump)')
    .argument('<path>', 'file, symlink or directory')
    .action(async (path: string) => {
      await writeAll(ctx.stdout, dumpPath(resolve(ctx.cwd, path)));
    });
}
