/**
 * Dependency order of stacked overlays (spec/local-overlay.md §7.1): an overlay whose lower,
 * upper or work directory is another entry's mount point (or lies under it) is mounted after
 * that entry and unmounted before it. The order is depth-first from the configuration's order
 * (each entry right after what it stacks on); a cycle is an error that lists it.
 *
 * @example
 *   mountOrder([s2, s1])   // [s1, s2] when s2.lowerdir = [s1.mountPoint]
 */
import { strataError } from '@strata/core';
import { isAtOrUnder, type OverlayMount } from './model.js';

/** The entries `m` stacks on (whose mount points hold one of its directories). */
export function dependenciesOf<M extends OverlayMount>(m: M, all: readonly M[]): M[] {
  const dirs = [
    ...m.lowerdir,
    ...(m.upperdir ? [m.upperdir] : []),
    ...(m.workdir ? [m.workdir] : []),
  ];
  return all.filter((o) => o !== m && dirs.some((d) => isAtOrUnder(d, o.mountPoint)));
}

/** `mounts` sorted so that every entry comes after the entries it stacks on. */
export function mountOrder<M extends OverlayMount>(mounts: readonly M[]): M[] {
  const deps = new Map(mounts.map((m) => [m, dependenciesOf(m, mounts)]));
  const done = new Set<M>();
  const order: M[] = [];
  const visiting: M[] = [];
  const visit = (m: M): void => {
    if (done.has(m)) return;
    const at = visiting.indexOf(m);
    if (at !== -1) {
      const cycle = [...visiting.slice(at), m].map((x) => x.mountPoint).join(' -> ');
      throw strataError('STRATA_ERR_OVERLAY_CYCLE', { cycle });
    }
    visiting.push(m);
    for (const d of deps.get(m) ?? []) visit(d);
    visiting.pop();
    done.add(m);
    order.push(m);
  };
  for (const m of mounts) visit(m);
  return order;
}

/** How many overlays the kernel allows in a nested stack (spec/local-overlay.md §6.1, §7.1). */
export const MAX_NESTED_OVERLAYS = 2;

/**
 * Rejects an overlay whose lower layers lie on an overlay that itself lies on an overlay
 * (among the configured ones): the kernel would refuse it with only `mount`'s generic
 * message. Flat stacking (several lower layers in one overlay, §7.3) has no such limit.
 */
export function checkStackingDepth(mounts: readonly OverlayMount[]): void {
  const chains = new Map<OverlayMount, OverlayMount[]>();
  const lowerDeps = (m: OverlayMount) =>
    mounts.filter((o) => o !== m && m.lowerdir.some((d) => isAtOrUnder(d, o.mountPoint)));
  for (const m of mountOrder(mounts)) {
    const below = lowerDeps(m)
      .map((d) => chains.get(d) ?? [])
      .reduce<OverlayMount[]>((a, b) => (b.length > a.length ? b : a), []);
    const chain = [...below, m];
    if (chain.length > MAX_NESTED_OVERLAYS) {
      throw strataError('STRATA_ERR_OVERLAY_TOO_DEEP', {
        mountPoint: m.mountPoint,
        chain: chain.map((c) => c.mountPoint).join(' <- '),
      });
    }
    chains.set(m, chain);
  }
}

/** `mounts` in the order to unmount them: entries stacked on others first. */
export function unmountOrder<M extends OverlayMount>(mounts: readonly M[]): M[] {
  return mountOrder(mounts).reverse();
}

/**
 * The selected entries plus what they need: for mounting and remounting, the entries they
 * stack on (recursively); for unmounting, the entries stacked on them.
 */
export function withRelated<M extends OverlayMount>(
  selected: readonly M[],
  all: readonly M[],
  direction: 'below' | 'above',
): M[] {
  const result = new Set<M>(selected);
  const queue = [...selected];
  while (queue.length > 0) {
    const m = queue.shift() as M;
    const related =
      direction === 'below'
        ? dependenciesOf(m, all)
        : all.filter((o) => dependenciesOf(o, all).includes(m));
    for (const r of related) {
      if (!result.has(r)) {
        result.add(r);
        queue.push(r);
      }
    }
  }
  return all.filter((m) => result.has(m));
}
