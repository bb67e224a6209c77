/**
 * The benchmark harness: runs the same work through Strata and through Nix 2.8 as whole
 * processes, alternating (so drift in machine load hits both sides alike), several rounds,
 * and prints medians, peak RSS and the ratio Strata/Nix against the target.
 *
 * @example
 *   await compare({ name: 'nar hash 1 GiB file', rounds: 5, target: 1.0, rssTargetMiB: 100,
 *     strata: ['strata', 'hash', 'path', file], nix: ['nix-hash', '--type', 'sha256', file] });
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MEASURE = fileURLToPath(new URL('./measure.py', import.meta.url));
const STRATA_BIN = fileURLToPath(new URL('../packages/cli/bin/strata.js', import.meta.url));

/**
 * The environment both sides run in: ours, less `NODE_EXTRA_CA_CERTS`. Where it is set (this
 * sandbox points it at the system's 220 KB CA bundle), Node parses every certificate before
 * running any code — 0.06–0.1 s of each process here, for TLS that no benchmarked command
 * uses; Nix ignores it. Every other variable is passed on unchanged.
 */
const MEASURED_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS'),
);

/** `['strata', …args]` runs the built CLI with this Node; anything else runs as given. */
function resolveCommand(cmd: readonly string[]): string[] {
  return cmd[0] === 'strata' ? [process.execPath, STRATA_BIN, ...cmd.slice(1)] : [...cmd];
}

export interface Measurement {
  seconds: number;
  maxRssKiB: number;
}

/** Runs `cmd` once under the measuring wrapper; fails loudly if the command fails. */
export function measure(cmd: readonly string[], stdinFile?: string): Measurement {
  const args = [MEASURE, ...(stdinFile ? ['--stdin', stdinFile] : []), ...resolveCommand(cmd)];
  const r = spawnSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 26, env: MEASURED_ENV });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  let parsed: { seconds: number; maxRssKiB: number; status: number };
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`benchmark wrapper failed for ${cmd.join(' ')}: ${r.stderr || r.error}`);
  }
  if (parsed.status !== 0) {
    throw new Error(`'${cmd.join(' ')}' exited with ${parsed.status}:\n${r.stderr}`);
  }
  return { seconds: parsed.seconds, maxRssKiB: parsed.maxRssKiB };
}

export interface Comparison {
  name: string;
  strata: readonly string[];
  nix: readonly string[];
  /** File fed to both commands on stdin. */
  stdin?: string;
  rounds?: number;
  /** Ratio Strata/Nix the issue asks for (≤). */
  target: number;
  /** Peak RSS Strata may use, in MiB. */
  rssTargetMiB?: number;
  /** Runs before every timed command (e.g. to clear an output directory). */
  before?: () => void;
  /** What the `nix` side is, when it is not Nix (e.g. `strata local`): printed in its place. */
  baseline?: string;
}

export interface ComparisonResult {
  name: string;
  strataSeconds: number;
  nixSeconds: number;
  ratio: number;
  target: number;
  strataRssMiB: number;
  nixRssMiB: number;
  rssTargetMiB?: number;
  ok: boolean;
  baseline?: string;
  /** Left out by `--only`: not run, not counted. */
  skipped?: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const SKIPPED = { strataRssMiB: 0, nixRssMiB: 0, ok: true, skipped: true } as const;

/** Runs one comparison, alternating sides (starting side alternates too), and prints a line. */
export function compare(c: Comparison): ComparisonResult {
  // `pnpm bench … --only TEXT` runs just the comparisons whose name contains TEXT (read here,
  // not at load: run.ts sets it after its imports have run).
  const only = process.env.STRATA_BENCH_ONLY?.toLowerCase();
  if (only !== undefined && !c.name.toLowerCase().includes(only)) {
    return {
      name: c.name,
      strataSeconds: 0,
      nixSeconds: 0,
      ratio: 0,
      target: c.target,
      ...SKIPPED,
    };
  }
  const rounds = c.rounds ?? 5;
  const strata: Measurement[] = [];
  const nix: Measurement[] = [];
  // One untimed run each to warm the page cache, so neither side pays for cold reads.
  c.before?.();
  measure(c.strata, c.stdin);
  c.before?.();
  measure(c.nix, c.stdin);
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? (['strata', 'nix'] as const) : (['nix', 'strata'] as const);
    for (const side of order) {
      c.before?.();
      if (side === 'strata') strata.push(measure(c.strata, c.stdin));
      else nix.push(measure(c.nix, c.stdin));
    }
  }
  const strataSeconds = median(strata.map((m) => m.seconds));
  const nixSeconds = median(nix.map((m) => m.seconds));
  const strataRssMiB = Math.max(...strata.map((m) => m.maxRssKiB)) / 1024;
  const nixRssMiB = Math.max(...nix.map((m) => m.maxRssKiB)) / 1024;
  const ratio = strataSeconds / nixSeconds;
  const ok = ratio <= c.target && (c.rssTargetMiB === undefined || strataRssMiB <= c.rssTargetMiB);
  const result: ComparisonResult = {
    name: c.name,
    strataSeconds,
    nixSeconds,
    ratio,
    target: c.target,
    strataRssMiB,
    nixRssMiB,
    ok,
  };
  if (c.rssTargetMiB !== undefined) result.rssTargetMiB = c.rssTargetMiB;
  if (c.baseline !== undefined) result.baseline = c.baseline;
  printResult(result, rounds);
  return result;
}

function printResult(r: ComparisonResult, rounds: number): void {
  const rss =
    r.rssTargetMiB === undefined
      ? `rss ${r.strataRssMiB.toFixed(0)} MiB`
      : `rss ${r.strataRssMiB.toFixed(0)} MiB (target ≤ ${r.rssTargetMiB})`;
  const other = r.baseline ?? 'nix';
  process.stdout.write(
    `${r.ok ? 'ok  ' : 'MISS'} ${r.name}: strata ${r.strataSeconds.toFixed(3)} s, ${other} ${r.nixSeconds.toFixed(3)} s, ` +
      `ratio ${r.ratio.toFixed(2)} (target ≤ ${r.target}), ${rss}, ${other} rss ${r.nixRssMiB.toFixed(0)} MiB ` +
      `[median of ${rounds}]\n`,
  );
}
