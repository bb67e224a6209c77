/**
 * The local store (issue #4), each through Strata and Nix 2.8 as whole processes on chroot
 * stores: adding a 1 GiB file and a 50k-file tree, importing (registering) 20k paths with
 * references, requisites of a 3.6k-path closure and the referrers closure of a 4k chain out of
 * the 20k, collecting 10k dead paths of the 20k, and `verify --check-contents` of the 50k-file
 * store. Stores are rebuilt from templates before every timed run, outside the timing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, bigFile, bigTree } from '../fixtures.js';
import { type ComparisonResult, compare } from '../harness.js';

const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };
/** Paths in the graph, and the length of each reference chain in it. */
const GRAPH_PATHS = 20_000;
const CHAIN = 4_000;

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, {
    env: NIX_ENV,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input === undefined ? {} : { input }),
  })
    .toString()
    .trim();
}

function fresh(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function copyStore(template: string, to: string): void {
  fresh(to);
  execFileSync('cp', ['-a', template, to]);
}

/**
 * 20k text paths made by Nix: chains of 4000, each path referring to the one before it and the
 * one seven before it. Returns the template store, its export file and the path list (cached).
 */
export function graphFixture(): { template: string; exportFile: string; paths: string[] } {
  const dir = join(BENCH_DIR, 'graph-20k');
  const template = join(dir, 'store');
  const exportFile = join(dir, 'all.export');
  const list = join(dir, 'paths.txt');
  if (!existsSync(join(dir, '.complete'))) {
    fresh(dir);
    mkdirSync(dir, { recursive: true });
    const expr = `
      let
        mod = a: b: a - (a / b) * b;
        f = i: builtins.toFile "p\${toString i}" (
          if mod i ${CHAIN} == 0 then "root \${toString i}"
          else "node \${toString i} \${builtins.elemAt paths (i - 1)} \${
            if mod i ${CHAIN} >= 7 then builtins.elemAt paths (i - 7) else ""}");
        paths = builtins.genList f ${GRAPH_PATHS};
      in builtins.deepSeq paths (builtins.concatStringsSep "\\n" paths)`;
    const out = sh('nix', ['eval', '--raw', '--store', template, '--expr', expr]);
    writeFileSync(list, `${out}\n`);
    const paths = out.split('\n');
    const r = spawnSync('nix-store', ['--store', template, '--export', ...paths], {
      env: NIX_ENV,
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`nix-store --export failed: ${r.stderr}`);
    writeFileSync(exportFile, r.stdout);
    writeFileSync(join(dir, '.complete'), '');
  }
  const paths = execFileSync('cat', [list]).toString().trim().split('\n');
  return { template, exportFile, paths };
}

export function run(rounds: number): ComparisonResult[] {
  const file = bigFile();
  const tree = bigTree();
  const work = join(BENCH_DIR, 'local-work');
  mkdirSync(work, { recursive: true });
  const s = join(work, 'strata');
  const n = join(work, 'nix');
  const results: ComparisonResult[] = [];
  const both = () => {
    fresh(s);
    fresh(n);
  };

  results.push(
    compare({
      name: 'add, 1 GiB file',
      strata: ['strata', '--store', s, 'add', file],
      nix: ['nix-store', '--store', n, '--add', file],
      before: both,
      rounds,
      target: 0.6,
      rssTargetMiB: 150,
    }),
    compare({
      name: 'add, 50k-file tree',
      strata: ['strata', '--store', s, 'add', tree],
      nix: ['nix-store', '--store', n, '--add', tree],
      before: both,
      rounds,
      target: 0.8,
      rssTargetMiB: 150,
    }),
  );

  const graph = graphFixture();
  results.push(
    compare({
      name: 'register (import) 20k paths with references',
      strata: ['strata', '--store', s, '--option', 'require-sigs', 'false', 'import'],
      nix: ['nix-store', '--store', n, '--option', 'require-sigs', 'false', '--import'],
      stdin: graph.exportFile,
      before: both,
      rounds,
      target: 0.5,
      rssTargetMiB: 150,
    }),
  );
  const closureOf = graph.paths[3599]!;
  const chainStart = graph.paths[0]!;
  results.push(
    compare({
      name: 'requisites of a 3.6k-path closure out of 20k',
      strata: ['strata', '--store', graph.template, 'query', 'requisites', closureOf],
      nix: ['nix-store', '--store', graph.template, '-q', '--requisites', closureOf],
      rounds,
      target: 1.5,
      rssTargetMiB: 150,
    }),
    compare({
      name: 'referrers-closure over 20k paths',
      strata: ['strata', '--store', graph.template, 'query', 'referrers-closure', chainStart],
      nix: ['nix-store', '--store', graph.template, '-q', '--referrers-closure', chainStart],
      rounds,
      target: 0.5,
      rssTargetMiB: 150,
    }),
  );

  // 10k live (three chains' prefixes rooted), 10k dead.
  const gcTemplate = join(work, 'gc-template');
  if (!existsSync(join(gcTemplate, '.complete'))) {
    copyStore(graph.template, `${gcTemplate}.tmp`);
    const roots = join(`${gcTemplate}.tmp`, 'nix/var/nix/gcroots');
    mkdirSync(roots, { recursive: true });
    for (const i of [3999, 7999, 9999]) symlinkSync(graph.paths[i]!, join(roots, `r${i}`));
    writeFileSync(join(`${gcTemplate}.tmp`, '.complete'), '');
    fresh(gcTemplate);
    renameSync(`${gcTemplate}.tmp`, gcTemplate);
  }
  results.push(
    compare({
      name: 'GC of 10k dead paths (of 20k)',
      strata: ['strata', '--store', s, 'gc'],
      nix: ['nix-store', '--store', n, '--gc'],
      before: () => {
        copyStore(gcTemplate, s);
        copyStore(gcTemplate, n);
      },
      rounds,
      target: 1.0,
      rssTargetMiB: 150,
    }),
  );

  const treeStore = join(work, 'tree-store');
  if (!existsSync(join(treeStore, '.complete'))) {
    fresh(treeStore);
    sh('nix-store', ['--store', treeStore, '--add', tree]);
    writeFileSync(join(treeStore, '.complete'), '');
  }
  results.push(
    compare({
      name: 'verify --check-contents, 50k-file store',
      strata: ['strata', '--store', treeStore, 'verify', '--check-contents'],
      nix: ['nix-store', '--store', treeStore, '--verify', '--check-contents'],
      rounds,
      target: 1.0,
      rssTargetMiB: 150,
    }),
  );
  both();
  return results;
}
