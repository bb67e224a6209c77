/**
 * `pnpm bench [SUITE…] [--rounds N] [--only TEXT]`: runs benchmark suites (all by default; with
 * `--only`, just the comparisons whose name contains TEXT) and prints, per
 * comparison, the medians, peak RSS and the ratio Strata/Nix 2.8 against the issue's target.
 * Needs a built CLI (`pnpm build`) and Nix on PATH. Exits 0 even when a target is missed: a
 * benchmark reports, it does not gate (timings on shared machines are noisy).
 */
import { spawnSync } from 'node:child_process';
import type { ComparisonResult } from './harness.js';
import * as local from './suites/local.js';
import * as nar from './suites/nar.js';
import * as overlay from './suites/overlay.js';

const SUITES: Record<string, (rounds: number) => ComparisonResult[]> = {
  nar: nar.run,
  local: local.run,
  overlay: overlay.run,
};

const args = process.argv.slice(2);
let rounds = 5;
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  // Read by the harness, which every suite calls.
  else if (args[i] === '--only') process.env.STRATA_BENCH_ONLY = args[++i] ?? '';
  else names.push(args[i]!);
}
const unknown = names.filter((n) => !(n in SUITES));
if (unknown.length || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(
    `error: ${unknown.length ? `unknown benchmark suite '${unknown[0]}'` : 'bad --rounds'}; suites: ${Object.keys(SUITES).join(', ')}\n`,
  );
  process.exit(1);
}
if (spawnSync('nix-store', ['--version']).status !== 0) {
  process.stderr.write('error: benchmarks compare against Nix 2.8: install nix-bin first\n');
  process.exit(1);
}
const results: ComparisonResult[] = [];
for (const name of names.length ? names : Object.keys(SUITES)) {
  process.stdout.write(`# ${name}\n`);
  results.push(...SUITES[name]!(rounds));
}
const ran = results.filter((r) => !r.skipped);
const missed = ran.filter((r) => !r.ok).length;
process.stdout.write(`\n${ran.length - missed} of ${ran.length} within target\n`);
