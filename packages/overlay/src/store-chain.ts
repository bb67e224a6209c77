/**
 * The mounts a chain of overlay stores needs (issue #6, spec/local-overlay.md §7), each on the
 * level's `real` with its `upper-layer` as upperdir and `<upper-layer>-work` as workdir.
 * Nested while the kernel lets overlay mounts stack (base plus two overlay levels): one mount
 * per level, bottom first, a level's lowerdir being the merged dir of the level below. Beyond
 * that, or with `flat`, one mount for the top level alone: its lowerdirs are the upper layers
 * of every overlay level below it, top-most first, then the base store dir, and those levels
 * are frozen (not mounted) while it is.
 *
 * @example
 *   storeChainMounts(storeLevel(config, real), 'auto')
 *   // [{ mountPoint: '/srv/s1/nix/store', lowerdir: ['/srv/base/nix/store'], upperdir: '/srv/up1', workdir: '/srv/up1-work' }, …]
 */
import type { SettingOrigin } from '@strata/core';
import type { OverlayMount } from './model.js';
import { flattenStoreLayers, type StoreLevel } from './store-mount.js';

/** How the levels are mounted: nested where the kernel allows (`auto`), or all `flat`/`nested`. */
export type StoreChainLayout = 'auto' | 'nested' | 'flat';

/** Overlay mounts the kernel stacks on each other at most (on top of a non-overlay base). */
export const MAX_NESTED_OVERLAY_LEVELS = 2;

/** The work directory Strata uses for an upper layer: a sibling, on the same file system. */
export function workdirFor(upperLayer: string): string {
  return `${upperLayer.replace(/\/+$/, '')}-work`;
}

/**
 * The mounts of the overlay levels of `top` (bottom first); none for a base store. A flat
 * mount uses the upper layers below it as lower layers, which OverlayFS allows only while
 * nothing writes them: the levels below a flat top are frozen, so they are not mounted (open
 * them with `check-mount=false`), and only the top is (spec/local-overlay.md §7.3).
 */
export function storeChainMounts(
  top: StoreLevel,
  layout: StoreChainLayout = 'auto',
  origin?: SettingOrigin,
): OverlayMount[] {
  const levels: Array<Extract<StoreLevel, { kind: 'overlay' }>> = [];
  for (let at = top; at.kind === 'overlay'; at = at.lower) levels.unshift(at);
  const flat =
    levels.length > 1 &&
    (layout === 'flat' || (layout === 'auto' && levels.length > MAX_NESTED_OVERLAY_LEVELS));
  const mounted = flat ? levels.slice(-1) : levels;
  return mounted.map((level) => ({
    mountPoint: level.real,
    device: 'overlay',
    lowerdir: flat ? flattenStoreLayers(level.lower) : [level.lower.real],
    upperdir: level.upperLayer,
    workdir: workdirFor(level.upperLayer),
    ...(origin ? { origin } : {}),
  }));
}
