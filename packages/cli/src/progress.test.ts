import { captureStream } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CliContext } from './context.js';
import { renderProgressLine, startProgress } from './progress.js';

const test = suite('progress');

function context(tty: boolean, quiet = false) {
  const stderr = captureStream();
  (stderr as unknown as { isTTY: boolean }).isTTY = tty;
  const ctx = {
    flags: { options: [], json: false, verbose: 0, quiet },
    stderr,
  } as unknown as CliContext;
  return { ctx, stderr };
}

test('the bar text', () => {
  assert.is(renderProgressLine('adding', 0, 4), `adding [${'-'.repeat(30)}] 0/4`);
  assert.is(renderProgressLine('adding', 2, 4), `adding [${'#'.repeat(15)}${'-'.repeat(15)}] 2/4`);
  assert.is(renderProgressLine('copying', 7, 0), 'copying 7');
});

test('no bar in a pipe: only the log lines', () => {
  const { ctx, stderr } = context(false);
  const p = startProgress(ctx, 'x');
  assert.is(p.activity.progress, undefined);
  p.activity.log?.("deleting '/nix/store/x'");
  p.finish();
  assert.is(stderr.text(), "deleting '/nix/store/x'\n");
});

test('on a terminal the bar is drawn, erased for log lines and at the end', () => {
  const { ctx, stderr } = context(true);
  const p = startProgress(ctx, 'x');
  p.activity.progress?.(1, 1);
  p.activity.log?.('line');
  p.finish();
  assert.is(stderr.text(), `\r\x1b[K${renderProgressLine('x', 1, 1)}\r\x1b[Kline\n`);
});

test('--quiet: no bar even on a terminal', () => {
  const { ctx } = context(true, true);
  assert.is(startProgress(ctx, 'x').activity.progress, undefined);
});

test.run();
