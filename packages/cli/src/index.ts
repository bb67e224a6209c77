/**
 * @strata/cli — the `strata` command. Thin: parses flags, opens stores, prints; no store logic.
 *
 * @example
 *   import { main } from '@strata/cli';
 *   process.exitCode = await main(['hash', 'path', '.']);
 */

import { isStrataError } from '@strata/core/errors';
import { CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { extractGlobalFlags } from './globals.js';
import { buildProgram } from './program.js';

export type { CliContext } from './context.js';
export { extractGlobalFlags, type GlobalFlags } from './globals.js';

/** Options for running the CLI in-process (tests). */
export interface MainOptions {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Runs the CLI with `argv` (without `node strata`) and returns the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const stdout = (options.stdout ?? process.stdout) as CliContext['stdout'];
  const stderr = (options.stderr ?? process.stderr) as CliContext['stderr'];
  let verbose = argv.some((a) => /^(-v+|--verbose)$/.test(a));
  try {
    const { flags, rest } = extractGlobalFlags(argv);
    verbose = flags.verbose > 0;
    const ctx: CliContext = {
      flags,
      stdin: (options.stdin ?? process.stdin) as CliContext['stdin'],
      stdout,
      stderr,
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? process.env,
    };
    // `strata help CMD` documents CMD, so CMD is the one to load.
    const words = rest.filter((a) => !a.startsWith('-'));
    const program = await buildProgram(ctx, words[0] === 'help' ? words[1] : words[0]);
    if (rest.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(rest, { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e, stderr, verbose);
  }
}

/** Prints `e` the way Nix does (`error: …`, `hint: …`) and returns the exit code. */
function reportError(e: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  if (e instanceof CommanderError) {
    // --help and --version end the run successfully through the same exception.
    if (e.exitCode === 0) return 0;
    // A command group without its subcommand: commander has printed the group's help.
    if (e.code === 'commander.help') return e.exitCode;
    const message = e.message.replace(/^error: /, '');
    stderr.write(`error: ${message}\nTry 'strata --help' for more information.\n`);
    return 1;
  }
  if (isStrataError(e)) {
    stderr.write(`error: ${e.message}\n`);
    if (e.hint) stderr.write(`hint: ${e.hint}\n`);
    if (verbose && e.stack) stderr.write(`${e.stack}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  // An unexpected failure: still one clear line, with the stack only on request.
  stderr.write(`error: ${err?.message ?? String(e)}\n`);
  if (verbose && err?.stack) stderr.write(`${err.stack}\n`);
  return 1;
}
