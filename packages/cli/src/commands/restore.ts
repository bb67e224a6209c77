/**
 * `strata restore DIR`: unpacks a NAR read from stdin into a new path, like `nix-store
 * --restore` (the same as `strata nar restore`). A bad NAR leaves nothing behind.
 *
 * @example
 *   strata --store /tmp/root dump ./result | strata restore /tmp/copy
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { restoreNarFromStdin } from './nar.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description('unpack a NAR read from stdin into a new path (like nix-store --restore)')
    .argument('<path>', 'where to create the file system object (must not exist)')
    .action((path: string) => restoreNarFromStdin(ctx, path));
}
