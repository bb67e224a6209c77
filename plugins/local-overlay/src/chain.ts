/**
 * The chain of stores below an overlay store, read from resolved configs (nothing is opened):
 * each `local-overlay` level with its `real` and `upper-layer`, down to the first store that
 * is not an overlay store (the base). It gives the mount check its expected layers (nested
 * and flat, spec/local-overlay.md §7.3) and bounds the nesting (§7.4: at most 32 levels).
 *
 * @example
 *   storeLevel(config.lowerStores.get('lower-store')!)
 *   // { kind: 'overlay', real: '/srv/s1/nix/store', upperLayer: '/srv/s1-up',
 *   //   lower: { kind: 'base', real: '/srv/l0/nix/store' } }
 */
import { strataError } from '@strata/core/errors';
import type { StoreConfig } from '@strata/core/registry';
import type { StoreLevel } from '@strata/overlay';

/** The URL scheme of overlay stores. */
export const LOCAL_OVERLAY_SCHEME = 'local-overlay';

/** At most this many overlay stores on top of each other (spec §7.4). */
export const MAX_OVERLAY_LEVELS = 32;

/** True when `config` is a `local-overlay` store. */
export function isOverlayConfig(config: StoreConfig): boolean {
  return config.scheme === LOCAL_OVERLAY_SCHEME;
}

/** The directory where `config`'s objects physically are (`real`, else the store dir). */
export function realStoreDirOf(config: StoreConfig): string | undefined {
  if (config.settings.has('real')) return config.get<string>('real');
  return undefined;
}

/** `config` as a level of a store chain; throws for a base store without a local directory. */
export function storeLevel(config: StoreConfig, above: string): StoreLevel {
  const levels: StoreConfig[] = [];
  let at = config;
  while (isOverlayConfig(at)) {
    levels.push(at);
    const next = at.lowerStores.get('lower-store');
    if (next === undefined) break;
    at = next;
  }
  const baseReal = realStoreDirOf(at);
  if (baseReal === undefined) {
    throw strataError('STRATA_ERR_LOCAL_OVERLAY_NO_LOCAL_DIR', {
      lower: at.namedAs !== undefined ? `@${at.namedAs}` : at.renderReference(),
      real: above,
    });
  }
  let level: StoreLevel = { kind: 'base', real: baseReal };
  for (const o of levels.reverse()) {
    level = {
      kind: 'overlay',
      real: o.get<string>('real'),
      // A level without an upper layer fails when it is opened itself; '' matches no mount.
      upperLayer: o.get<string | undefined>('upper-layer') ?? '',
      lower: level,
    };
  }
  return level;
}

/** Fails when `config` stacks more than {@link MAX_OVERLAY_LEVELS} overlay stores. */
export function checkOverlayDepth(config: StoreConfig): void {
  let depth = 0;
  for (let at: StoreConfig | undefined = config; at && isOverlayConfig(at); ) {
    depth++;
    at = at.lowerStores.get('lower-store');
  }
  if (depth > MAX_OVERLAY_LEVELS) {
    throw strataError('STRATA_ERR_LOCAL_OVERLAY_TOO_DEEP', {
      real: config.get<string>('real'),
      depth,
      max: MAX_OVERLAY_LEVELS,
    });
  }
}
