/**
 * Topological order of store paths by references, exactly as Nix computes it (`topoSortPaths`):
 * depth-first from each path in byte-wise order, references visited in byte-wise order, only
 * within the given set; a path comes before everything it refers to. `nix-store -qR` prints
 * the reverse (references first), which is also the order to copy or import in.
 *
 * @example
 *   topoSortPaths(['/s/b-lib', '/s/a-app'], (p) => refs.get(p)!)  // ['/s/a-app', '/s/b-lib']
 */
import { strataError } from '../errors.js';
import { compareBytewise } from '../path-info/path-info.js';
import type { Store } from './types.js';

/**
 * Sorts `paths` so that referrers precede their references. `referencesOf` gives each path's
 * references (others than those in `paths` are ignored). Fails on a cycle with Nix's message.
 */
export function topoSortPaths(
  paths: Iterable<string>,
  referencesOf: (path: string) => Iterable<string>,
): string[] {
  const items = [...new Set(paths)].sort(compareBytewise);
  const inSet = new Set(items);
  const visited = new Set<string>();
  const parents = new Set<string>();
  const sorted: string[] = [];
  const visit = (path: string, parent: string | undefined): void => {
    if (parents.has(path)) {
      throw strataError('STRATA_ERR_STORE_REFERENCE_CYCLE', { path, parent: parent ?? path });
    }
    if (visited.has(path)) return;
    visited.add(path);
    parents.add(path);
    const refs = [...new Set(referencesOf(path))].sort(compareBytewise);
    for (const r of refs) if (r !== path && inSet.has(r)) visit(r, path);
    sorted.push(path);
    parents.delete(path);
  };
  for (const p of items) visit(p, undefined);
  return sorted.reverse();
}

/** {@link topoSortPaths} with references read from `store`. */
export async function topoSortStorePaths(store: Store, paths: Iterable<string>): Promise<string[]> {
  const list = [...new Set(paths)];
  const infos = await Promise.all(list.map((p) => store.queryPathInfo(p)));
  const refs = new Map(list.map((p, i) => [p, infos[i]!.references]));
  return topoSortPaths(list, (p) => refs.get(p) ?? []);
}
