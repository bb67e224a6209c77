#!/usr/bin/env node
// Runs every `*.test.ts` of the workspace, each file in its own Node process (a crash or a
// leaked handle in one file cannot hide the others), two at a time, and ends with the one
// line CI reads: `N passed, N failed, N skipped`.
//
// Usage: node scripts/run-tests.mjs [FILTER…]   (a FILTER keeps files whose path contains it)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const roots = ['packages', 'plugins', 'test'];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.'))
      continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = roots
  .filter((r) => statSync(join(root, r), { throwIfNoEntry: false })?.isDirectory())
  .flatMap((r) => walk(join(root, r), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const totals = { passed: 0, failed: 0, skipped: 0 };
const skipReasons = [];
const failedFiles = [];

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', STRATA_TEST: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => {
      const text = strip(out);
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? Number.NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? Number.NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0);
      for (const m of text.matchAll(/^# skip: (.*)$/gm)) skipReasons.push(`${file}: ${m[1]}`);
      let failed;
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        failed = 1; // the file crashed before uvu could report: count it as one failure
      } else {
        failed = total - passed + (code !== 0 && total === passed ? 1 : 0);
        totals.passed += passed;
        totals.skipped += skipped;
      }
      totals.failed += failed;
      const status = failed ? 'FAIL' : 'ok  ';
      process.stdout.write(
        `${status} ${file} (${Number.isNaN(passed) ? 0 : passed} passed${skipped ? `, ${skipped} skipped` : ''})\n`,
      );
      if (failed) {
        failedFiles.push(file);
        process.stdout.write(
          `${text
            .trim()
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}\n`,
        );
      }
      resolve();
    });
  });
}

const queue = [...files];
const width = Math.max(1, Math.min(2, cpus().length));
await Promise.all(
  Array.from({ length: width }, async () => {
    while (queue.length) await runFile(queue.shift());
  }),
);

if (skipReasons.length) {
  process.stdout.write('\nskipped:\n');
  for (const r of skipReasons) process.stdout.write(`  ${r}\n`);
}
if (failedFiles.length) process.stdout.write(`\nfailed files:\n  ${failedFiles.join('\n  ')}\n`);
if (files.length === 0) {
  process.stdout.write('no test files found\n');
  totals.failed += 1;
}
process.stdout.write(
  `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exitCode = totals.failed ? 1 : 0;
