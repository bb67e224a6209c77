/**
 * `strata restore DIR`: unpacks a NAR read from stdin into a new path, like `nix-store
 * --restore` (the same as `strata nar restore`). A bad NAR leaves nothing behind.
 *
 * @example
 *   strata --store /tmp/root dump ./result | strata restore /tmp/copy
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseNar, restorePath } from '@strata/core/nar';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { localPathArg } from '../open-store.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description('unpack a NAR read from stdin into a new path (like nix-store --restore)')
    .argument('<path>', 'where to create the file system object (must not exist)')
    .action(async (path: string) => {
      const target = resolve(ctx.cwd, path);
      // restorePath refuses an existing target, so what is there after a failure is ours.
      const existed = existsSync(target);
      try {
        await restorePath(localPathArg(ctx, path), parseNar(ctx.stdin));
      } catch (e) {
        if (!existed) rmSync(target, { recursive: true, force: true });
        throw e;
      }
    });
}
