/**
 * Opening a `local-overlay` store, in the order of spec/local-overlay.md §3.1 (Strata's):
 * validate the settings (`upper-layer` given, at most 32 levels, a lower store with a local
 * directory and the same logical store dir), open the lower store (which runs its own checks,
 * recursively), check the mount, and only then build the store — which, like every local
 * store, creates nothing on disk until its first write.
 *
 * @example
 *   open: openLocalOverlayStore   // in the plugin manifest
 */
import { strataError } from '@strata/core/errors';
import type { StoreConfig, StoreOpenContext } from '@strata/core/registry';
import { readMountInfo } from '@strata/overlay';
import { checkOverlayDepth, storeLevel } from './chain.js';
import { LocalOverlayStore } from './local-overlay-store.js';
import { checkOverlayStoreMount } from './mount-check.js';

/** The plugin's `open`. */
export async function openLocalOverlayStore(
  config: StoreConfig,
  context: StoreOpenContext,
): Promise<LocalOverlayStore> {
  const real = config.get<string>('real');
  const upperLayer = config.get<string | undefined>('upper-layer');
  if (upperLayer === undefined || upperLayer === '') {
    throw strataError('STRATA_ERR_LOCAL_OVERLAY_UPPER_LAYER_REQUIRED', { real });
  }
  checkOverlayDepth(config);
  const lowerConfig = lowerConfigOf(config);
  const below = storeLevel(lowerConfig, real);
  const storeDir = config.get<string>('store');
  const lowerStoreDir = lowerConfig.get<string>('store');
  if (lowerStoreDir !== storeDir) {
    throw strataError('STRATA_ERR_LOCAL_OVERLAY_STORE_DIR_MISMATCH', {
      real,
      storeDir,
      lower:
        lowerConfig.namedAs !== undefined
          ? `@${lowerConfig.namedAs}`
          : lowerConfig.renderReference(),
      lowerStoreDir,
    });
  }
  const lower = await context.openLower('lower-store');
  if (config.get<boolean>('check-mount')) {
    checkOverlayStoreMount({ real, upperLayer, lower: below }, readMountInfo());
  }
  return new LocalOverlayStore(config, withoutAutoOptimise(context), lower, below);
}

/**
 * The context with `auto-optimise-store` off (§4.9): hard-linking through the merged directory
 * would copy lower files up, duplicating the data the overlay exists to share.
 */
function withoutAutoOptimise(context: StoreOpenContext): StoreOpenContext {
  const current = context.globals.get('auto-optimise-store');
  if (current === undefined || current.value !== true) return context;
  const globals = new Map(context.globals);
  globals.set('auto-optimise-store', { ...current, value: false });
  return { ...context, globals };
}

function lowerConfigOf(config: StoreConfig): StoreConfig {
  const lower = config.lowerStores.get('lower-store');
  if (lower === undefined) throw new Error("the registry resolved no 'lower-store'");
  return lower;
}
