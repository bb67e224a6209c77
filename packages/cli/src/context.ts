/**
 * What every command gets: the global flags and the output streams. Commands print through
 * here so tests can capture output and so `--json` and `--quiet` are honoured in one place.
 */
import type { Readable, Writable } from 'node:stream';
import type { GlobalFlags } from './globals.js';

export interface CliContext {
  readonly flags: GlobalFlags;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Current directory, for resolving relative paths given on the command line. */
  readonly cwd: string;
  /** Environment, for configuration lookup. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Writes one line of text to stdout. */
export function println(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

/** Writes a value as JSON on one line (stable key order is the caller's job). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Writes `warning: …` to stderr unless `--quiet`. */
export function warn(ctx: CliContext, message: string): void {
  if (!ctx.flags.quiet) ctx.stderr.write(`warning: ${message}\n`);
}
