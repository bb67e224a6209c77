/**
 * The local-overlay store (issue #5): the overhead of reading through an overlay store whose
 * paths live in its lower store, and of collecting its own paths, against Nix 2.8 using that
 * lower store as a plain local store (the target is overlay ≤ 1.3 × local). Needs root (a real
 * OverlayFS mount under the bench directory, unmounted at the end).
 *
 * - path-info of 500 lower-only paths (queryPathInfo/isValidPath fall through);
 * - requisites of a 3.6k-path closure that lives in the lower store;
 * - GC of 5k dead upper paths over the 20k-path lower store (Nix: the same 5k dead in a copy
 *   of the lower store whose 20k paths are rooted);
 * - the first two again against Strata itself on the lower store as a local store: the
 *   overlay's own overhead, apart from Node's start-up.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from '../fixtures.js';
import { type ComparisonResult, compare } from '../harness.js';
import { graphFixture } from './local.js';

const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };
const FEATURES = ['--option', 'experimental-features', 'nix-command local-overlay-store'];

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

/** 5k text paths unrelated to the graph, as an export archive (cached). */
function extraExport(): string {
  const dir = join(BENCH_DIR, 'extra-5k');
  const file = join(dir, 'extra.export');
  if (existsSync(file)) return file;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = join(dir, 'store');
  const out = execFileSync(
    'nix',
    [
      'eval',
      '--raw',
      '--store',
      store,
      '--expr',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Nix's interpolation, not JS's
      'builtins.concatStringsSep "\\n" (builtins.genList (i: builtins.toFile "q${toString i}" "extra ${toString i}") 5000)',
    ],
    { env: NIX_ENV, maxBuffer: 1 << 28 },
  )
    .toString()
    .trim()
    .split('\n');
  const r = spawnSync('nix-store', ['--store', store, '--export', ...out], {
    env: NIX_ENV,
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`nix-store --export failed: ${r.stderr}`);
  writeFileSync(`${file}.tmp`, r.stdout);
  execFileSync('mv', [`${file}.tmp`, file]);
  return file;
}

export function run(rounds: number): ComparisonResult[] {
  if (process.getuid?.() !== 0) {
    process.stdout.write('skipped: the overlay benchmarks mount OverlayFS and need root\n');
    return [];
  }
  const graph = graphFixture();
  const extra = extraExport();
  const dir = join(BENCH_DIR, 'overlay-work');
  const lower = graph.template;
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const root = join(dir, 'merged');
  const merged = join(root, 'nix/store');
  const url = `local-overlay://?root=${root}&lower-store=${lower}&upper-layer=${upper}`;
  const strataStore = ['--store', url, ...FEATURES];
  const nixCopy = join(dir, 'nix-local');

  const unmount = () => {
    if (isMounted(merged)) execFileSync('umount', [merged]);
  };
  const freshOverlay = () => {
    unmount();
    rmSync(dir, { recursive: true, force: true });
    for (const d of [upper, work, merged]) mkdirSync(d, { recursive: true });
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower}/nix/store,upperdir=${upper},workdir=${work}`,
      merged,
    ]);
  };
  const results: ComparisonResult[] = [];
  try {
    freshOverlay();
    const sample = graph.paths.filter((_, i) => i % 40 === 0); // 500 lower-only paths
    results.push(
      compare({
        name: 'overlay: path-info of 500 lower-only paths',
        strata: ['strata', ...strataStore, 'path-info', ...sample],
        nix: [
          'nix',
          '--extra-experimental-features',
          'nix-command',
          'path-info',
          '--store',
          lower,
          ...sample,
        ],
        rounds,
        target: 1.3,
        rssTargetMiB: 150,
      }),
      compare({
        name: 'overlay: requisites of a 3.6k-path closure in the lower store',
        strata: ['strata', ...strataStore, 'query', 'requisites', graph.paths[3599]!],
        nix: ['nix-store', '--store', lower, '-q', '--requisites', graph.paths[3599]!],
        rounds,
        target: 1.3,
        rssTargetMiB: 150,
      }),
      // The overlay's own overhead, without the difference between a Node process's start-up
      // (~0.2 s here) and Nix's (~0.02 s): the same work through Strata on the lower store.
      compare({
        name: 'overlay overhead: path-info of 500 lower-only paths, vs strata on the lower store',
        strata: ['strata', ...strataStore, 'path-info', ...sample],
        nix: ['strata', '--store', lower, 'path-info', ...sample],
        baseline: 'strata local',
        rounds,
        target: 1.3,
        rssTargetMiB: 150,
      }),
      compare({
        name: 'overlay overhead: requisites of a 3.6k-path closure, vs strata on the lower store',
        strata: ['strata', ...strataStore, 'query', 'requisites', graph.paths[3599]!],
        nix: ['strata', '--store', lower, 'query', 'requisites', graph.paths[3599]!],
        baseline: 'strata local',
        rounds,
        target: 1.3,
        rssTargetMiB: 150,
      }),
    );
    const chainEnds = [3999, 7999, 11999, 15999, 19999].map((i) => graph.paths[i]!);
    results.push(
      compare({
        name: 'overlay: GC of 5k upper paths over a 20k-path lower store',
        strata: ['strata', ...strataStore, 'gc'],
        nix: ['nix-store', '--store', nixCopy, '--gc'],
        before: () => {
          freshOverlay();
          execFileSync('sh', [
            '-c',
            `"${process.execPath}" "$0" "$@" < "${extra}" > /dev/null`,
            ...strataArgs([...strataStore, 'import']),
          ]);
          rmSync(nixCopy, { recursive: true, force: true });
          execFileSync('cp', ['-a', lower, nixCopy]);
          const roots = join(nixCopy, 'nix/var/nix/gcroots');
          mkdirSync(roots, { recursive: true });
          for (const [i, p] of chainEnds.entries()) symlinkSync(p, join(roots, `r${i}`));
          execFileSync(
            'sh',
            ['-c', `nix-store --store "${nixCopy}" --import < "${extra}" > /dev/null`],
            {
              env: NIX_ENV,
            },
          );
        },
        rounds,
        target: 1.3,
        rssTargetMiB: 150,
      }),
    );
  } finally {
    unmount();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** The CLI script and its arguments, for running `strata` from a shell with redirections. */
function strataArgs(args: string[]): string[] {
  return [new URL('../../packages/cli/bin/strata.js', import.meta.url).pathname, ...args];
}
