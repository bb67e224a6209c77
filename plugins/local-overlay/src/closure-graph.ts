/**
 * Closures with their edges over an overlay store's two layers (spec/local-overlay.md §4.1,
 * §4.4), a few whole-closure queries instead of one query per path: each layer answers for a
 * set of paths at once (the upper DB by a recursive query, the lower store by its own
 * `queryClosureGraph` or a walk), and the results are joined until nothing new turns up.
 *
 * - References: a path's references are the upper DB's when it has the path, else the lower
 *   store's (as `queryPathInfo` falls through). Upper closures are self-contained (invariant
 *   I1: the upper DB's rows only refer to its own rows), so the upper layer answers each of
 *   its paths completely; the lower store answers the others, and its members that the upper
 *   DB also has are asked again of the upper DB.
 * - Referrers: a path's referrers are the union of both layers' (as `queryReferrers`), so
 *   every member is asked of each layer once.
 *
 * @example
 *   const edges = await overlayReferencesClosure(starts, upperLayer, lowerLayer);
 */
import { compareBytewise } from '@strata/core/path-info';
import type { ClosureDirection, ClosureEdges } from '@strata/core/store';

/** A layer of the overlay as the joins see it. */
export interface ClosureLayer {
  /** The closure graph of `paths` in this layer (`Store.queryClosureGraph`'s contract). */
  graph(paths: readonly string[], direction: ClosureDirection): Promise<ClosureEdges>;
}

/** The upper layer, which can also say at once which paths it has. */
export interface UpperClosureLayer extends ClosureLayer {
  validAmong(paths: readonly string[]): Set<string>;
}

/**
 * The references closure of `starts` over both layers. The first start path valid in neither
 * fails with the lower store's `path '…' is not valid` (upper paths are asked first, and the
 * rest go to the lower store in the given order).
 */
export async function overlayReferencesClosure(
  starts: readonly string[],
  upper: UpperClosureLayer,
  lower: ClosureLayer,
): Promise<ClosureEdges> {
  const edges: ClosureEdges = new Map();
  let pending = [...new Set(starts)];
  while (pending.length > 0) {
    const inUpper = upper.validAmong(pending);
    const fromUpper = pending.filter((p) => inUpper.has(p));
    const fromLower = pending.filter((p) => !inUpper.has(p));
    pending = [];
    if (fromUpper.length > 0) {
      for (const [p, refs] of await upper.graph(fromUpper, 'references')) {
        if (!edges.has(p)) edges.set(p, refs);
      }
    }
    if (fromLower.length > 0) {
      const found = await lower.graph(fromLower, 'references');
      const fresh =
        edges.size === 0 ? [...found.keys()] : [...found.keys()].filter((p) => !edges.has(p));
      const alsoUpper = upper.validAmong(fresh);
      // The usual case for paths of the lower store: the upper DB has none of them. The lower
      // store's answer is then the whole answer, passed on as it came (with its numbering).
      if (edges.size === 0 && pending.length === 0 && alsoUpper.size === 0) return found;
      for (const p of fresh) {
        // The upper DB's row answers for a path both layers have: asked of it next round.
        if (alsoUpper.has(p)) pending.push(p);
        else edges.set(p, found.get(p)!);
      }
    }
  }
  return reachable(starts, edges);
}

/** The referrers closure of `starts` over both layers: each member asked of both. */
export async function overlayReferrersClosure(
  starts: readonly string[],
  upper: ClosureLayer,
  lower: ClosureLayer,
): Promise<ClosureEdges> {
  const union = new Map<string, Set<string>>();
  const askedUpper = new Set<string>();
  const askedLower = new Set<string>();
  const merge = (found: ClosureEdges, asked: Set<string>): void => {
    for (const [p, referrers] of found) {
      asked.add(p);
      const set = union.get(p);
      if (set === undefined) union.set(p, new Set(referrers));
      else for (const r of referrers) set.add(r);
    }
  };
  for (const s of starts) union.set(s, new Set());
  let pending = [...union.keys()];
  while (pending.length > 0) {
    const forUpper = pending.filter((p) => !askedUpper.has(p));
    const forLower = pending.filter((p) => !askedLower.has(p));
    if (forUpper.length > 0) merge(await upper.graph(forUpper, 'referrers'), askedUpper);
    if (forLower.length > 0) merge(await lower.graph(forLower, 'referrers'), askedLower);
    pending = [...union.keys()].filter((p) => !askedUpper.has(p) || !askedLower.has(p));
  }
  const edges: ClosureEdges = new Map();
  for (const [p, set] of union) edges.set(p, [...set].sort(compareBytewise));
  return edges;
}

/**
 * The part of `edges` reachable from `starts`: the lower store's answer may have followed a
 * path both layers have beyond where the upper DB's references lead.
 */
function reachable(starts: readonly string[], edges: ClosureEdges): ClosureEdges {
  const seen = new Set<string>(starts);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    for (const r of edges.get(queue[i]!) ?? []) {
      if (!seen.has(r)) {
        seen.add(r);
        queue.push(r);
      }
    }
  }
  if (seen.size === edges.size) return edges;
  const kept: ClosureEdges = new Map();
  for (const p of seen) kept.set(p, edges.get(p) ?? []);
  return kept;
}
