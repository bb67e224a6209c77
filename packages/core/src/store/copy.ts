/**
 * Copying closures between any two stores (`nix copy`), written once against the `Store`
 * interface: the closure is computed in the source, paths the destination already has are
 * skipped, and the rest are streamed NAR by NAR, references before referrers, so the
 * destination never holds a path whose references are missing. A destination with `addNars`
 * takes them all in one call (the local store then registers them in batches).
 *
 * @example
 *   const copied = await copyClosure(from, to, ['/nix/store/…-hello'], { checkSigs: false });
 */
import { strataError } from '../errors.js';
import { computeClosure } from './closure.js';
import { topoSortStorePaths } from './topo-sort.js';
import type { Store } from './types.js';

/** Options of {@link copyClosure}. */
export interface CopyOptions {
  /** Require trusted signatures in the destination (default: the destination's policy). */
  readonly checkSigs?: boolean;
  /** Copy only the given paths, not their closure (`--no-recursive`). */
  readonly noRecursive?: boolean;
  /** Called after each copied path (progress). */
  readonly onCopied?: (path: string, narSize: number) => void;
}

/** Copies `paths` (and their closure) from `from` to `to`; returns the paths copied, in order. */
export async function copyClosure(
  from: Store,
  to: Store,
  paths: Iterable<string>,
  options: CopyOptions = {},
): Promise<string[]> {
  if (from.storeDir !== to.storeDir) {
    throw strataError('STRATA_ERR_STORE_DIR_MISMATCH', {
      from: from.url,
      fromDir: from.storeDir,
      to: to.url,
      toDir: to.storeDir,
    });
  }
  const wanted = options.noRecursive ? [...new Set(paths)] : await computeClosure(from, paths);
  const present = new Set(await to.queryValidPaths(wanted));
  const missing = wanted.filter((p) => !present.has(p));
  const order = (await topoSortStorePaths(from, missing)).reverse();
  const copied: string[] = [];
  const addOptions = options.checkSigs === undefined ? {} : { checkSigs: options.checkSigs };
  if (to.addNars !== undefined) {
    const narSizes = new Map<string, number>();
    const items = async function* () {
      for (const path of order) {
        const info = await from.queryPathInfo(path);
        narSizes.set(path, info.narSize);
        yield { info, nar: () => from.narFromPath(path) };
      }
    };
    for await (const path of to.addNars(items(), addOptions)) {
      copied.push(path);
      options.onCopied?.(path, narSizes.get(path) ?? 0);
    }
    return copied;
  }
  for (const path of order) {
    const info = await from.queryPathInfo(path);
    await to.addNar(info, from.narFromPath(path), addOptions);
    copied.push(path);
    options.onCopied?.(path, info.narSize);
  }
  return copied;
}
