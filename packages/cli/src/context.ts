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

/** Output gathered into writes of about this many characters. */
const LINE_CHUNK = 1 << 16;

/**
 * Lines for stdout, written in pieces of ~64 KiB instead of one write (one system call) per
 * line. `flush()` when done, also on failure, so what was printed before an error is seen.
 */
export class LineWriter {
  #text = '';

  constructor(private readonly ctx: CliContext) {}

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** Text as it is (lines that carry their own newline). */
  write(text: string): void {
    this.#text += text;
    if (this.#text.length >= LINE_CHUNK) this.flush();
  }

  flush(): void {
    if (this.#text === '') return;
    this.ctx.stdout.write(this.#text);
    this.#text = '';
  }
}

/** Runs `print` with a {@link LineWriter} and flushes it, whether `print` succeeds or fails. */
export async function printLines(
  ctx: CliContext,
  print: (line: (text?: string) => void, text: (text: string) => void) => void | Promise<void>,
): Promise<void> {
  const out = new LineWriter(ctx);
  try {
    await print(
      (text) => out.line(text),
      (text) => out.write(text),
    );
  } finally {
    out.flush();
  }
}

/** Writes a value as JSON on one line (stable key order is the caller's job). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Writes `warning: …` to stderr unless `--quiet`. */
export function warn(ctx: CliContext, message: string): void {
  if (!ctx.flags.quiet) ctx.stderr.write(`warning: ${message}\n`);
}
