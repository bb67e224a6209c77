/**
 * @strata/cli — the `strata` command. Thin: parses flags, opens stores, prints; no store logic.
 *
 * @example
 *   import { main } from '@strata/cli';
 *   process.exitCode = await main(['hash', 'path', '.']);
 */

import { getSystemErrorMap } from 'node:util';
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
  const output = watchStdout(stdout);
  let failure: unknown;
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
    if (rest.length === 0) program.outputHelp();
    else await program.parseAsync(rest, { from: 'user' });
  } catch (e) {
    failure = e;
  }
  try {
    await output.settled();
  } finally {
    output.stop();
  }
  // A failed write to stdout is what went wrong first, whatever the command made of it.
  if (output.error !== undefined) failure = output.error;
  return failure === undefined ? 0 : reportError(failure, stderr, verbose);
}

/**
 * Watches stdout for write errors while a command runs. A reader that went away
 * (`strata query requisites x | head`, EPIPE) is not an error: the rest of the output is
 * dropped and the command finishes its work, as Nix's commands do. Any other failure (a full
 * disk under `> file`) makes the command fail with it once its work is done.
 */
function watchStdout(stdout: NodeJS.WritableStream) {
  const state = {
    error: undefined as Error | undefined,
    /**
     * Resolves once every write so far has succeeded or failed (and its error was seen). Only
     * the process's own stdout is waited for: it always drains, while a caller's stream may
     * be read only after main() returns.
     */
    settled: async () => {
      const out = stdout as NodeJS.WritableStream & {
        writableLength?: number;
        destroyed?: boolean;
      };
      if (out === process.stdout && !out.destroyed && (out.writableLength ?? 0) > 0) {
        await new Promise<void>((resolve) => out.write('', () => resolve()));
      }
      // A failed write's 'error' is emitted on a later tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    stop: () => stdout.off('error', onError),
  };
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    state.error ??= new Error(`writing to file: ${systemMessage(e)}`);
  };
  stdout.on('error', onError);
  return state;
}

/** strerror's text for a system error, as Nix prints it ("No space left on device"). */
function systemMessage(e: NodeJS.ErrnoException): string {
  const text = e.errno === undefined ? undefined : getSystemErrorMap().get(e.errno)?.[1];
  return text === undefined ? e.message : text.charAt(0).toUpperCase() + text.slice(1);
}

const TRY_HELP = "Try 'strata --help' for more information.\n";

/**
 * Errors Nix reports as usage errors, followed by its `Try '… --help'` line: an unparsable
 * store URL, a bad setting value, a configuration syntax error (spec config-and-urls §2.6).
 */
const USAGE_ERRORS = new Set<string>([
  'STRATA_ERR_CONFIG_SYNTAX',
  'STRATA_ERR_SETTING_BAD_BOOL',
  'STRATA_ERR_SETTING_BAD_OPTION',
  'STRATA_ERR_SETTING_BAD_STORE_URL',
  'STRATA_ERR_SETTING_BAD_VALUE',
  'STRATA_ERR_STORE_URL_BAD_QUERY',
  'STRATA_ERR_STORE_URL_UNPARSABLE',
]);

/** Prints `e` the way Nix does (`error: …`, `hint: …`) and returns the exit code. */
function reportError(e: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  if (e instanceof CommanderError) {
    // --help and --version end the run successfully through the same exception.
    if (e.exitCode === 0) return 0;
    // A command group without its subcommand: commander has printed the group's help.
    if (e.code === 'commander.help') return e.exitCode;
    const message = e.message.replace(/^error: /, '');
    stderr.write(`error: ${message}\n${TRY_HELP}`);
    return 1;
  }
  if (isStrataError(e)) {
    stderr.write(`error: ${e.message}\n`);
    if (e.hint) stderr.write(`hint: ${e.hint}\n`);
    if (USAGE_ERRORS.has(e.code)) stderr.write(TRY_HELP);
    if (verbose && e.stack) stderr.write(`${e.stack}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  // An unexpected failure: still one clear line, with the stack only on request.
  stderr.write(`error: ${err?.message ?? String(e)}\n`);
  if (verbose && err?.stack) stderr.write(`${err.stack}\n`);
  return 1;
}
