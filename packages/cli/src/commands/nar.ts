/**
 * `strata nar dump|restore|ls|cat`: NAR archives as `nix-store --dump/--restore` and
 * `nix nar ls/cat` handle them.
 */
import { createReadStream, existsSync, openSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { strataError } from '@strata/core/errors';
import { ioError } from '@strata/core/io-error';
import { catNar, dumpPath, listNar, parseNar, renderNarLs, restorePath } from '@strata/core/nar';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { writeAll } from '../output.js';

/** The NAR named on the command line: a file, or stdin for `-`. Opened now, so a missing file
 * fails with Nix's `opening file '…': No such file or directory` before anything is read. */
function narSource(ctx: CliContext, nar: string): Readable {
  if (nar === '-') return ctx.stdin;
  let fd: number;
  try {
    fd = openSync(asGiven(ctx, nar), 'r');
  } catch (e) {
    throw ioError('opening file', nar, e);
  }
  return createReadStream('', { fd, highWaterMark: 1 << 20 });
}

/** `path` as given when it resolves the same: Nix names paths in errors as the user wrote them. */
function asGiven(ctx: CliContext, path: string): string {
  return ctx.cwd === process.cwd() ? path : resolve(ctx.cwd, path);
}

/**
 * Unpacks the NAR on stdin into the new path `path` (`nar restore`, `restore`). restorePath
 * refuses an existing target, so whatever is there after a failure is ours: it is removed,
 * leaving the file system as it was (a bad NAR must not leave half a tree).
 */
export async function restoreNarFromStdin(ctx: CliContext, path: string): Promise<void> {
  const target = resolve(ctx.cwd, path);
  const existed = existsSync(target);
  try {
    await restorePath(asGiven(ctx, path), parseNar(ctx.stdin));
  } catch (e) {
    if (!existed) rmSync(target, { recursive: true, force: true });
    throw e;
  }
}

export function register(program: Command, ctx: CliContext): void {
  const nar = program.command('nar').description('create, unpack and inspect NAR archives');
  nar
    .command('dump')
    .description('write the NAR serialisation of a path to stdout (like nix-store --dump)')
    .argument('<path>', 'file, symlink or directory')
    .action(async (path: string) => {
      // stdout writes are synchronous for files and pipes on Linux, so buffers can be reused.
      await writeAll(ctx.stdout, dumpPath(asGiven(ctx, path), { reuseBuffers: true }));
    });
  nar
    .command('restore')
    .description('unpack a NAR read from stdin into a new path (like nix-store --restore)')
    .argument('<path>', 'where to create the file system object (must not exist)')
    .action((path: string) => restoreNarFromStdin(ctx, path));
  nar
    .command('ls')
    .description('list the contents of a NAR (like nix nar ls)')
    .argument('<nar>', "NAR file, or '-' for stdin")
    .argument('[path]', 'path inside the NAR', '/')
    .option('-l, --long', 'show type, size and symlink targets')
    .option('-R, --recursive', 'list subdirectories recursively')
    .option('-d, --directory', 'show directories rather than their contents')
    .action(
      async (
        nar: string,
        path: string,
        opts: { long?: boolean; recursive?: boolean; directory?: boolean },
      ) => {
        if (opts.directory && ctx.flags.json) {
          throw strataError('STRATA_ERR_CLI_USAGE', {
            message: "'--directory' is useless with '--json'",
          });
        }
        const root = await listNar(narSource(ctx, nar));
        ctx.stdout.write(renderNarLs(root, path, { ...opts, json: ctx.flags.json }));
      },
    );
  nar
    .command('cat')
    .description('print the contents of a regular file inside a NAR (like nix nar cat)')
    .argument('<nar>', "NAR file, or '-' for stdin")
    .argument('<path>', 'path of the file inside the NAR')
    .action(async (nar: string, path: string) => {
      await writeAll(ctx.stdout, catNar(narSource(ctx, nar), path));
    });
}
