/**
 * Closures over the reference graph of any store: everything a set of paths refers to,
 * directly or not (`nix-store -qR`), or everything that refers to it (`--referrers-closure`).
 * Written once against the `Store` interface; queries run a few at a time.
 *
 * @example
 *   const paths = await computeClosure(store, ['/nix/store/…-hello']);        // sorted
 *   const users = await computeClosure(store, [lib], { direction: 'referrers' });
 */
import { compareBytewise } from '../path-info/path-info.js';
import type { Store } from './types.js';

/** Options of {@link computeClosure}. */
export interface ClosureOptions {
  /** `references` (default): what the paths need; `referrers`: what needs them. */
  readonly direction?: 'references' | 'referrers';
  /** Also follow derivation outputs (for `.drv` paths) — Nix's `includeOutputs`. */
  readonly includeOutputs?: boolean;
  /** Also follow the deriver of each path — Nix's `includeDerivers`. */
  readonly includeDerivers?: boolean;
}

/** How many store queries are in flight at once. */
const CONCURRENCY = 16;

/**
 * The closure of `paths` (which are included), sorted byte-wise. Fails with the store's
 * `path '…' is not valid` when a start path or a reference is not valid.
 */
export async function computeClosure(
  store: Store,
  paths: Iterable<string>,
  options: ClosureOptions = {},
): Promise<string[]> {
  const seen = new Set<string>();
  const queue: string[] = [];
  const enqueue = (p: string): void => {
    if (!seen.has(p)) {
      seen.add(p);
      queue.push(p);
    }
  };
  for (const p of paths) enqueue(p);
  const next = async (path: string): Promise<string[]> => {
    const out: string[] = [];
    // The mirror image of Nix's computeFSClosure: in the referrers direction, outputs lead
    // to their derivers and derivers to their outputs.
    const flip = options.direction === 'referrers';
    const outputsOf = async (drv: string): Promise<string[]> =>
      store.queryValidPaths(await store.queryDerivationOutputs(drv));
    if (flip) {
      out.push(...(await store.queryReferrers(path)));
      if (options.includeOutputs) out.push(...(await store.queryValidDerivers(path)));
      if (options.includeDerivers && path.endsWith('.drv')) out.push(...(await outputsOf(path)));
    } else {
      const info = await store.queryPathInfo(path);
      out.push(...info.references);
      if (options.includeOutputs && path.endsWith('.drv')) out.push(...(await outputsOf(path)));
      if (options.includeDerivers && info.deriver !== undefined) {
        if (await store.isValidPath(info.deriver)) out.push(info.deriver);
      }
    }
    return out;
  };
  while (queue.length > 0) {
    const batch = queue.splice(0, CONCURRENCY);
    for (const refs of await Promise.all(batch.map(next))) refs.forEach(enqueue);
  }
  return [...seen].sort(compareBytewise);
}
