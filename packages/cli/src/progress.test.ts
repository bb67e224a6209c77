import { captureStream } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CliContext } from './context.js';
import { progressFormat, startProgress } from './progress.js';

const test = suite('progress');

function context(tty: boolean, quiet = false) {
  const stderr = captureStream();
  (stderr as unknown as { isTTY: boolean }).isTTY = tty;
  (stderr as unknown as { columns: number }).columns = 100;
  const ctx = {
    flags: { options: [], json: false, verbose: 0, quiet },
    stderr,
  } as unknown as CliContext;
  return { ctx, stderr };
}

test('the bar layout, with and without a known total', () => {
  assert.is(progressFormat('adding', 4), 'adding [{bar}] {value}/{total}');
  assert.is(progressFormat('copying', 0), 'copying {value}');
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
  const p = startProgress(ctx, 'adding');
  p.activity.progress?.(2, 4);
  assert.match(stderr.text(), `adding [${'#'.repeat(15)}${'-'.repeat(15)}] 2/4`);
  p.activity.log?.('line');
  assert.match(stderr.text(), /\nline\n$|line\n$/);
  p.activity.progress?.(4, 4);
  p.finish();
  assert.match(stderr.text(), `adding [${'#'.repeat(30)}] 4/4`);
});

test('--quiet: no bar even on a terminal', () => {
  const { ctx } = context(true, true);
  assert.is(startProgress(ctx, 'x').activity.progress, undefined);
});

test.run();
