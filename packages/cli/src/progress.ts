/**
 * The `StoreActivity` a command hands to long store operations: `log` lines go to stderr as
 * they arrive (they are Nix's own stderr lines), and on a terminal `progress` draws a bar on
 * stderr with cli-progress (redrawn at most ten times a second, erased at the end and before
 * each log line). In pipes, or with `--quiet`, there is no bar.
 *
 * @example
 *   const progress = startProgress(ctx, 'adding');
 *   try { await store.addToStore(dir, { activity: progress.activity }); }
 *   finally { progress.finish(); }
 */
import type { StoreActivity } from '@strata/core';
import { SingleBar } from 'cli-progress';
import type { CliContext } from './context.js';

/** A running progress display. */
export interface Progress {
  readonly activity: StoreActivity;
  /** Erases the bar (if one was drawn). */
  finish(): void;
}

/** The bar's layout: `label [#####-----] done/total`, or `label done` when the total is unknown. */
export function progressFormat(label: string, total: number): string {
  return total > 0 ? `${label} [{bar}] {value}/{total}` : `${label} {value}`;
}

/** Starts a progress display for an operation named `label`. */
export function startProgress(ctx: CliContext, label: string): Progress {
  const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true && !ctx.flags.quiet;
  let bar: SingleBar | undefined;
  let barTotal = 0;
  const erase = () => {
    bar?.stop();
    bar = undefined;
  };
  const activity: StoreActivity = {
    log(line: string) {
      erase();
      ctx.stderr.write(`${line}\n`);
    },
  };
  if (tty) {
    activity.progress = (done: number, total: number) => {
      // A known total that appears or changes needs the other layout: start a new bar.
      if (bar !== undefined && total > 0 !== barTotal > 0) erase();
      if (bar === undefined) {
        bar = new SingleBar({
          stream: ctx.stderr as NodeJS.WriteStream,
          format: progressFormat(label, total),
          barsize: 30,
          barCompleteChar: '#',
          barIncompleteChar: '-',
          clearOnComplete: true,
          hideCursor: false,
          fps: 10,
        });
        bar.start(total, done);
      } else {
        if (total !== barTotal) bar.setTotal(total);
        bar.update(done);
      }
      barTotal = total;
    };
  }
  return { activity, finish: erase };
}
