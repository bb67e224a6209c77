/**
 * Topological order of store paths by references, exactly as Nix computes it (`topoSortPaths`):
 * depth-first from each path in byte-wise order, references visited in byte-wise order, only
 * within the given set; a path comes before everything it refers to. `nix-store -qR` prints
 * the reverse (references first), which is also the order to copy or import in.
 *
 * @example
 *   topoSortPaths(['/s/b-lib', '/s/a-app'], (p) => refs.get(p)!)  // ['/s/a-app', '/s/b-lib']
 *   topoSortClosure(await computeClosureGraph(store, [app]))    // no further queries
 */
import { strataError } from '../errors.js';
import { compareBytewise } from '../path-info/path-info.js';
import type { ClosureGraph } from './closure.js';
import { closureNumbering } from './closure-numbering.js';
import type { Store } from './types.js';

/** A UTF-16 surrogate: where code unit order and UTF-8 byte order part ways. */
const SURROGATE = /[\ud800-\udfff]/;

/**
 * `items` sorted byte-wise without duplicates; as given (no copy) when it already is. Without
 * surrogates the engine's own string order is the byte-wise order, and much faster.
 */
function sortedSet(items: Iterable<string>): readonly string[] {
  const list = Array.isArray(items) ? (items as readonly string[]) : [...items];
  let plain = true;
  for (let i = 0; i < list.length && plain; i++) plain = !SURROGATE.test(list[i]!);
  let ascending = true;
  for (let i = 1; i < list.length && ascending; i++) {
    ascending = plain ? list[i - 1]! < list[i]! : compareBytewise(list[i - 1]!, list[i]!) < 0;
  }
  if (ascending) return list;
  const unique = [...new Set(list)];
  return plain ? unique.sort() : unique.sort(compareBytewise);
}

/** Visit states of {@link topoSortIndexed}. */
const NEW = 0;
const ON_PATH = 1;
const DONE = 2;

/**
 * Nix's depth-first topological sort over `items` (sorted byte-wise) numbered by position:
 * `adjacency[i]` holds the numbers of `i`'s references within the set, ascending (so in
 * byte-wise order); `i` itself, if there, is passed over. The search keeps its own stack, so
 * reference chains of any length are fine.
 */
function topoSortIndexed(
  items: readonly string[],
  adjacency: readonly (readonly number[])[],
): string[] {
  const n = items.length;
  const state = new Uint8Array(n);
  const stack = new Int32Array(n);
  const next = new Int32Array(n);
  const sorted = new Array<string>(n);
  let out = n;
  for (let item = 0; item < n; item++) {
    if (state[item] !== NEW) continue;
    let top = 0;
    stack[0] = item;
    next[0] = 0;
    state[item] = ON_PATH;
    while (top >= 0) {
      const at = stack[top]!;
      const refs = adjacency[at]!;
      if (next[top]! < refs.length) {
        const j = refs[next[top]!++]!;
        if (j === at) continue;
        if (state[j] === ON_PATH) {
          throw strataError('STRATA_ERR_STORE_REFERENCE_CYCLE', {
            path: items[j]!,
            parent: items[at]!,
          });
        }
        if (state[j] === NEW) {
          state[j] = ON_PATH;
          stack[++top] = j;
          next[top] = 0;
        }
      } else {
        state[at] = DONE;
        sorted[--out] = items[at]!;
        top--;
      }
    }
  }
  return sorted;
}

/** Position of each of `items`. */
function indexOf(items: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < items.length; i++) index.set(items[i]!, i);
  return index;
}

/** `list` ascending without repeats (usually it already is). */
function ascendingSet(list: number[]): number[] {
  for (let k = 1; k < list.length; k++) {
    if (list[k - 1]! >= list[k]!) {
      return [...new Set(list)].sort((a, b) => a - b);
    }
  }
  return list;
}

/**
 * Sorts `paths` so that referrers precede their references. `referencesOf` gives each path's
 * references (others than those in `paths` are ignored). Fails on a cycle with Nix's message.
 */
export function topoSortPaths(
  paths: Iterable<string>,
  referencesOf: (path: string) => Iterable<string>,
): string[] {
  const items = sortedSet(paths);
  const index = indexOf(items);
  const adjacency: number[][] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const list: number[] = [];
    for (const r of referencesOf(items[i]!)) {
      const j = index.get(r);
      if (j !== undefined && j !== i) list.push(j);
    }
    adjacency[i] = ascendingSet(list);
  }
  return topoSortIndexed(items, adjacency);
}

/**
 * {@link topoSortPaths} of a closure's members by the edges found with it (references, or
 * referrers turned around: within a closure, `a` refers to `b` exactly when `a` is among
 * `b`'s referrers). Makes no store queries.
 */
export function topoSortClosure(graph: ClosureGraph): string[] {
  const numbering = closureNumbering(graph.edges);
  if (numbering !== undefined) {
    const { items, adjacency } = numbering;
    if (graph.direction === 'references') return topoSortIndexed(items, adjacency);
    const turned: number[][] = new Array(items.length);
    for (let i = 0; i < items.length; i++) turned[i] = [];
    // Members in ascending order, so every list is built ascending.
    for (let i = 0; i < items.length; i++) for (const j of adjacency[i]!) turned[j]!.push(i);
    return topoSortIndexed(items, turned);
  }
  const items = sortedSet(graph.edges.keys());
  const index = indexOf(items);
  const adjacency: number[][] = new Array(items.length);
  if (graph.direction === 'references') {
    for (let i = 0; i < items.length; i++) {
      const list: number[] = [];
      for (const r of graph.edges.get(items[i]!)!) {
        const j = index.get(r);
        if (j !== undefined && j !== i) list.push(j);
      }
      adjacency[i] = ascendingSet(list);
    }
  } else {
    for (let i = 0; i < items.length; i++) adjacency[i] = [];
    // Members in ascending order, so every list is built ascending.
    for (let i = 0; i < items.length; i++) {
      for (const referrer of graph.edges.get(items[i]!)!) {
        const j = index.get(referrer);
        if (j !== undefined && j !== i) adjacency[j]!.push(i);
      }
    }
    for (let j = 0; j < items.length; j++) adjacency[j] = ascendingSet(adjacency[j]!);
  }
  return topoSortIndexed(items, adjacency);
}

/** {@link topoSortPaths} with references read from `store`. */
export async function topoSortStorePaths(store: Store, paths: Iterable<string>): Promise<string[]> {
  const list = [...new Set(paths)];
  const infos = await Promise.all(list.map((p) => store.queryPathInfo(p)));
  const refs = new Map(list.map((p, i) => [p, infos[i]!.references]));
  return topoSortPaths(list, (p) => refs.get(p) ?? []);
}
