/**
 * `strata query KIND PATH…`: the graph queries of `nix-store --query`, printing what Nix 2.8
 * prints byte for byte. `references`, `referrers`, `requisites` and `referrers-closure` print
 * the union over all arguments, references before referrers (Nix's reversed topological
 * order); the others print per argument. `outputs` reads each `.drv` file, as Nix does.
 *
 * @example
 *   strata --store /tmp/root query requisites ./result
 */
import {
  type ClosureGraph,
  compareBytewise,
  computeClosure,
  computeClosureGraph,
  derivationOutputPaths,
  type EnabledFeatures,
  readDerivation,
  requireExperimentalFeature,
  type Store,
  StoreDir,
  strataError,
  topoSortClosure,
  topoSortStorePaths,
} from '@strata/core';
import { type Command, Option } from 'commander';
import { type CliContext, LineWriter, printLines } from '../context.js';
import { resolveStorePathArg, withStore } from '../open-store.js';
import { dotGraphLines, treeLines } from '../render/graph.js';
import type { StoreEnvironment } from '../store-registry.js';

/** The query kinds, with what each prints. */
const KINDS: Record<string, string> = {
  references: 'the paths each path refers to directly (nix-store -q --references)',
  referrers: 'the valid paths that refer to each path (nix-store -q --referrers)',
  requisites: 'the closures of the paths, references first (nix-store -q --requisites)',
  'referrers-closure': 'everything that refers to the paths, directly or not',
  deriver: "each path's deriver, or unknown-deriver (nix-store -q --deriver)",
  'valid-derivers': 'the valid derivations known to produce each path',
  outputs: 'the outputs of derivations; other paths as they are (nix-store -q --outputs)',
  roots: 'the GC roots that keep the paths alive (nix-store -q --roots)',
  hash: "each path's NAR hash, sha256:<nix32> (nix-store -q --hash)",
  size: "each path's NAR size in bytes (nix-store -q --size)",
  tree: 'the references as a tree (nix-store -q --tree)',
  graph: 'the references as a Graphviz graph (nix-store -q --graph)',
};

/** Prints topologically sorted paths in reverse: references before their referrers. */
function printReversed(ctx: CliContext, sorted: readonly string[]): void {
  const out = new LineWriter(ctx);
  for (let i = sorted.length - 1; i >= 0; i--) out.line(sorted[i]);
  out.flush();
}

/** Prints `paths` in reverse topological order: references before their referrers. */
async function printSorted(ctx: CliContext, store: Store, paths: Iterable<string>): Promise<void> {
  printReversed(ctx, await topoSortStorePaths(store, paths));
}

/** Prints a closure as `printSorted` does, ordered by the edges found with it (no queries). */
function printClosure(ctx: CliContext, graph: ClosureGraph): void {
  printReversed(ctx, topoSortClosure(graph));
}

/**
 * A derivation's outputs as Nix's `maybeUseOutputs` finds them, sorted: read from the `.drv`
 * file itself (not the database), so a missing or damaged file fails as in Nix, and an output
 * with no path yet (floating content-addressed) is an error. Any other path is itself.
 */
async function outputsOf(store: Store, path: string, features: EnabledFeatures): Promise<string[]> {
  if (!path.endsWith('.drv')) return [path];
  // Nix would try to substitute it first; Strata has nothing to substitute from here.
  if (!(await store.isValidPath(path))) throw strataError('STRATA_ERR_DRV_UNAVAILABLE', { path });
  const drv = await readDerivation(store, path, {
    requireCaDerivations: () => requireExperimentalFeature(features, 'ca-derivations'),
  });
  const paths = derivationOutputPaths(drv, new StoreDir(store.storeDir));
  if (paths.size !== drv.outputs.size) throw strataError('STRATA_ERR_DRV_FLOATING_OUTPUT', {});
  return [...paths.values()].sort(compareBytewise);
}

async function runQuery(
  ctx: CliContext,
  store: Store,
  kind: string,
  args: readonly string[],
  includeOutputs: boolean,
  environment: StoreEnvironment,
): Promise<void> {
  const globals = environment.config.settings;
  // Commands that print per argument resolve each in turn: what comes before a bad argument
  // is printed, as by Nix.
  const resolveArg = (a: string) => resolveStorePathArg(ctx, store, a);
  const paths = ['deriver', 'valid-derivers', 'outputs', 'hash', 'size'].includes(kind)
    ? []
    : args.map(resolveArg);
  switch (kind) {
    case 'references': {
      const all = new Set<string>();
      for (const p of paths) for (const r of (await store.queryPathInfo(p)).references) all.add(r);
      return printSorted(ctx, store, all);
    }
    case 'referrers': {
      const all = new Set<string>();
      for (const p of paths) for (const r of await store.queryReferrers(p)) all.add(r);
      return printSorted(ctx, store, all);
    }
    case 'requisites':
      return printClosure(ctx, await computeClosureGraph(store, paths, { includeOutputs }));
    case 'referrers-closure':
      return printClosure(ctx, await computeClosureGraph(store, paths, { direction: 'referrers' }));
    case 'deriver':
      return printLines(ctx, async (println) => {
        for (const a of args)
          println((await store.queryPathInfo(resolveArg(a))).deriver ?? 'unknown-deriver');
      });
    case 'valid-derivers':
      return printLines(ctx, async (println) => {
        for (const a of args)
          for (const d of await store.queryValidDerivers(resolveArg(a))) println(d);
      });
    case 'outputs':
      return printLines(ctx, async (println) => {
        const features = environment.openOptions.features ?? [];
        for (const a of args)
          for (const o of await outputsOf(store, resolveArg(a), features)) println(o);
      });
    case 'hash':
      return printLines(ctx, async (println) => {
        for (const a of args)
          println((await store.queryPathInfo(resolveArg(a))).narHash.toString('base32'));
      });
    case 'size':
      return printLines(ctx, async (println) => {
        for (const a of args) println(String((await store.queryPathInfo(resolveArg(a))).narSize));
      });
    case 'tree':
      return printLines(ctx, async (_, out) => {
        for await (const line of treeLines(store, paths)) out(line);
      });
    case 'graph':
      return printLines(ctx, async (_, out) => {
        for await (const line of dotGraphLines(store, paths)) out(line);
      });
    case 'roots': {
      // Roots of everything that would keep the paths alive: their referrers' closure, with
      // the derivers of outputs under keep-outputs, the outputs of derivations under
      // keep-derivations (the collector's rules, as Nix's `--roots` applies them).
      const setting = (name: string, fallback: boolean) => {
        const value = globals.get(name)?.value;
        return typeof value === 'boolean' ? value : fallback;
      };
      const alive = new Set(
        await computeClosure(store, paths, {
          direction: 'referrers',
          includeOutputs: setting('keep-outputs', false),
          includeDerivers: setting('keep-derivations', true),
        }),
      );
      const roots = await store.findRoots({ log: (line) => ctx.stderr.write(`${line}\n`) });
      return printLines(ctx, (println) => {
        for (const target of [...roots.keys()].sort(compareBytewise)) {
          if (!alive.has(target)) continue;
          for (const link of [...roots.get(target)!].sort(compareBytewise)) {
            println(`${link} -> ${target}`);
          }
        }
      });
    }
  }
}

export function register(program: Command, ctx: CliContext): void {
  const query = program
    .command('query')
    .description('query the reference graph like nix-store --query');
  for (const [kind, summary] of Object.entries(KINDS)) {
    const cmd = query
      .command(kind)
      .description(summary)
      .argument('[paths...]', 'store paths, paths inside the store, or symlinks to them');
    if (kind === 'requisites')
      cmd.addOption(new Option('--include-outputs', 'also include the outputs of derivations'));
    cmd.action(async (args: string[], opts: { includeOutputs?: boolean }) => {
      await withStore(ctx, (store, environment) =>
        runQuery(ctx, store, kind, args, opts.includeOutputs === true, environment),
      );
    });
  }
}
