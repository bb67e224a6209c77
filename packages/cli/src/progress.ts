/**
 * The `StoreActivity` a command hands to long store operations: `log` lines go to stderr as
 * they arrive (they are Nix's own stderr lines), and on a terminal `progress` draws a one-line
 * bar on stderr, redrawn at most every 100 ms and erased at the end. In pipes, or with
 * `--quiet`, there is no bar.
 *
 * @example
 *   const progress = startProgress(ctx, 'adding');
 *   try { await store.addToStore(dir, { activity: progress.activity }); }
 *   finally { progress.finish(); }
 */
import type { StoreActivity } from '@strata/core';
import type { CliContext } from './context.js';

/** A running progress display. */
export interface Progress {
  readonly activity: StoreActivity;
  /** Erases the bar (if one was drawn). */
  finish(): void;
}

const WIDTH = 30;
const REDRAW_MS = 100;

/** The bar's text: `label [#####-----] done/total`, or `label done` when the total is unknown. */
export function renderProgressLine(label: string, done: number, total: number): string {
  if (total <= 0) return `${label} ${done}`;
  const filled = Math.min(WIDTH, Math.round((done / total) * WIDTH));
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total}`;
}

/** Starts a progress display for an operation named `label`. */
export function startProgress(ctx: CliContext, label: string): Progress {
  const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true && !ctx.flags.quiet;
  let shown = false;
  let last = 0;
  const erase = () => {
    if (shown) ctx.stderr.write('\r\x1b[K');
    shown = false;
  };
  const activity: StoreActivity = {
    log(line: string) {
      erase();
      ctx.stderr.write(`${line}\n`);
    },
  };
  if (tty) {
    activity.progress = (done: number, total: number) => {
      const now = Date.now();
      if (now - last < REDRAW_MS && done !== total) return;
      last = now;
      ctx.stderr.write(`\r\x1b[K${renderProgressLine(label, done, total)}`);
      shown = true;
    };
  }
  return { activity, finish: erase };
}
