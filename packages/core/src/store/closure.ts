/**
 * Closures over the reference graph of any store: everything a set of paths refers to,
 * directly or not (`nix-store -qR`), or everything that refers to it (`--referrers-closure`),
 * with the edges found on the way, so a topological sort needs no second round of queries.
 * A store with `queryClosureGraph` answers in one call (the local store: one recursive SQL
 * query); any other is walked with a few queries in flight at a time.
 *
 * @example
 *   const paths = await computeClosure(store, ['/nix/store/…-hello']);        // sorted
 *   const users = await computeClosure(store, [lib], { direction: 'referrers' });
 *   const graph = await computeClosureGraph(store, ['/nix/store/…-hello']);
 *   topoSortClosure(graph).reverse();                                         // as -qR prints
 */
import { compareBytewise } from '../path-info/path-info.js';
import type { ClosureDirection, ClosureEdges, ClosureGraphOptions, Store } from './types.js';

/** Options of {@link computeClosure} and {@link computeClosureGraph}. */
export interface ClosureOptions extends ClosureGraphOptions {
  /** Also follow derivation outputs (for `.drv` paths) — Nix's `includeOutputs`. */
  readonly includeOutputs?: boolean;
  /** Also follow the deriver of each path — Nix's `includeDerivers`. */
  readonly includeDerivers?: boolean;
}

/** A closure with its edges. */
export interface ClosureGraph {
  readonly direction: ClosureDirection;
  /**
   * Every member → its references (direction `references`) or its referrers (`referrers`),
   * sorted, as the store records them. Outputs and derivers that `includeOutputs` and
   * `includeDerivers` follow make members, not edges.
   */
  readonly edges: ClosureEdges;
}

/** How many store queries are in flight at once when walking the graph. */
const CONCURRENCY = 16;

/**
 * The closure of `paths` (which are included) with its edges. Following references, fails
 * with the store's `path '…' is not valid` when a start path (or a reference) is not valid;
 * following referrers, a start path that is not valid is a member without referrers, as in
 * Nix's `computeFSClosure`.
 */
export async function computeClosureGraph(
  store: Store,
  paths: Iterable<string>,
  options: ClosureOptions = {},
): Promise<ClosureGraph> {
  const direction = options.direction ?? 'references';
  if (
    store.queryClosureGraph !== undefined &&
    !options.includeOutputs &&
    !options.includeDerivers
  ) {
    return { direction, edges: await store.queryClosureGraph([...paths], { direction }) };
  }
  return { direction, edges: await walkClosure(store, paths, direction, options) };
}

/** The closure of `paths` (included), sorted byte-wise; see {@link computeClosureGraph}. */
export async function computeClosure(
  store: Store,
  paths: Iterable<string>,
  options: ClosureOptions = {},
): Promise<string[]> {
  const { edges } = await computeClosureGraph(store, paths, options);
  return [...edges.keys()].sort(compareBytewise);
}

/** The generic walk: one query (or a few) per member, {@link CONCURRENCY} at a time. */
async function walkClosure(
  store: Store,
  paths: Iterable<string>,
  direction: ClosureDirection,
  options: ClosureOptions,
): Promise<ClosureEdges> {
  const edges: ClosureEdges = new Map();
  const seen = new Set<string>();
  const queue: string[] = [];
  const enqueue = (p: string): void => {
    if (!seen.has(p)) {
      seen.add(p);
      queue.push(p);
    }
  };
  for (const p of paths) enqueue(p);
  const outputsOf = async (drv: string): Promise<string[]> =>
    store.queryValidPaths(await store.queryDerivationOutputs(drv));
  // Returns what to follow from `path` besides its edges. The mirror image of Nix's
  // computeFSClosure: following referrers, outputs lead to their derivers and derivers to
  // their outputs.
  const visit = async (path: string): Promise<string[]> => {
    const more: string[] = [];
    if (direction === 'referrers') {
      edges.set(path, await store.queryReferrers(path));
      if (options.includeOutputs) more.push(...(await store.queryValidDerivers(path)));
      if (options.includeDerivers && path.endsWith('.drv')) more.push(...(await outputsOf(path)));
    } else {
      const info = await store.queryPathInfo(path);
      edges.set(path, info.references);
      if (options.includeOutputs && path.endsWith('.drv')) more.push(...(await outputsOf(path)));
      if (options.includeDerivers && info.deriver !== undefined) {
        if (await store.isValidPath(info.deriver)) more.push(info.deriver);
      }
    }
    return more;
  };
  while (queue.length > 0) {
    const batch = queue.splice(0, CONCURRENCY);
    const more = await Promise.all(batch.map(visit));
    for (const [i, path] of batch.entries()) {
      edges.get(path)!.forEach(enqueue);
      more[i]!.forEach(enqueue);
    }
  }
  return edges;
}
