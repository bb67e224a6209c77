/**
 * The reference graph drawn as `nix-store -q --tree` and `nix-store -q --graph` (Nix 2.8) draw
 * it, byte for byte: the tree with `├───`/`└───` connectors and `[...]` for paths already
 * shown, the Graphviz graph with Nix's node and edge lines and its colour cycle.
 *
 * @example
 *   for await (const line of treeLines(store, [top])) out.write(line);
 *   // /nix/store/…-top\n├───/nix/store/…-hello.txt\n└───/nix/store/…-withref\n …
 */
import type { ClosureEdges, Store } from '@strata/core';
import { compareBytewise, computeClosureGraph, topoSortPaths } from '@strata/core';

const TREE_CONN = '├───';
const TREE_LAST = '└───';
const TREE_LINE = '│   ';
const TREE_NULL = '    ';

/**
 * The lines of `nix-store -q --tree ROOTS…` (each ending in `\n`): every root's references
 * depth-first, siblings ordered so that a path comes after the ones it refers to, and a path
 * seen before (under any root) printed once more with ` [...]` and not expanded.
 */
export async function* treeLines(store: Store, roots: readonly string[]): AsyncGenerator<string> {
  const referencesOf = await referenceLookup(store, roots);
  const done = new Set<string>();
  async function* visit(path: string, firstPad: string, tailPad: string): AsyncGenerator<string> {
    if (done.has(path)) {
      yield `${firstPad}${path} [...]\n`;
      return;
    }
    done.add(path);
    yield `${firstPad}${path}\n`;
    const references = await referencesOf(path);
    const refsOfRefs = new Map<string, readonly string[]>();
    for (const r of references) refsOfRefs.set(r, await referencesOf(r));
    const sorted = topoSortPaths(references, (p) => refsOfRefs.get(p) ?? []).reverse();
    for (const [n, ref] of sorted.entries()) {
      const last = n + 1 === sorted.length;
      yield* visit(
        ref,
        tailPad + (last ? TREE_LAST : TREE_CONN),
        tailPad + (last ? TREE_NULL : TREE_LINE),
      );
    }
  }
  for (const root of roots) yield* visit(root, '', '');
}

/**
 * Each path's references: from the closure of `roots` fetched at once, or, when that fails (a
 * root is not valid), from the store path by path, so the drawing stops with Nix's error at
 * the same line as Nix's does.
 */
async function referenceLookup(
  store: Store,
  roots: readonly string[],
): Promise<(path: string) => Promise<readonly string[]>> {
  let edges: ClosureEdges | undefined;
  try {
    edges = (await computeClosureGraph(store, roots)).edges;
  } catch {
    edges = undefined;
  }
  return async (path) => edges?.get(path) ?? (await store.queryPathInfo(path)).references;
}

const COLOURS = ['black', 'red', 'green', 'blue', 'magenta', 'burlywood'];

const quote = (s: string): string => `"${s}"`;

/** The base name of a store path (`<hash>-<name>`), Graphviz's node id. */
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The name part of a store path, the node's label. */
const nameOf = (path: string): string => baseName(path).slice(33);

/**
 * The lines of `nix-store -q --graph ROOTS…`: a work list kept sorted, each path printed as a
 * red box followed by one edge per reference (other than itself) in the colour cycle.
 */
export async function* dotGraphLines(
  store: Store,
  roots: Iterable<string>,
): AsyncGenerator<string> {
  // Nix's work list is an ordered set, always taken from its smallest element: kept here as
  // a sorted array (largest first, so taking is a pop) with binary insertion.
  const work: string[] = [];
  const insert = (p: string): void => {
    let lo = 0;
    let hi = work.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareBytewise(work[mid]!, p);
      if (c === 0) return;
      if (c > 0) lo = mid + 1;
      else hi = mid;
    }
    work.splice(lo, 0, p);
  };
  for (const r of roots) insert(r);
  const referencesOf = await referenceLookup(store, [...work]);
  const done = new Set<string>();
  let colour = 0;
  yield 'digraph G {\n';
  for (let path = work.pop(); path !== undefined; path = work.pop()) {
    if (done.has(path)) continue;
    done.add(path);
    yield `${quote(baseName(path))} [label = ${quote(nameOf(path))}, shape = box, style = filled, fillcolor = ${quote('#ff0000')}];\n`;
    for (const ref of await referencesOf(path)) {
      if (ref === path) continue;
      insert(ref);
      const c = COLOURS[colour++ % COLOURS.length]!;
      yield `${quote(baseName(ref))} -> ${quote(baseName(path))} [color = ${quote(c)}];\n`;
    }
  }
  yield '}\n';
}
