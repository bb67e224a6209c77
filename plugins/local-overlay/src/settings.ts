/**
 * The `local-overlay` store's settings (spec/local-overlay.md §2.2): every `local` store
 * setting plus its own four — `lower-store`, `upper-layer`, `check-mount`, `remount-hook`.
 */
import { extendSchema, type SettingsSchema } from '@strata/core/settings';
import { LOCAL_STORE_SETTINGS } from '@strata/plugin-local';

/** Settings of the `local-overlay` store, in `strata describe local-overlay` order. */
export const LOCAL_OVERLAY_STORE_SETTINGS: SettingsSchema = extendSchema(LOCAL_STORE_SETTINGS, [
  {
    name: 'lower-store',
    type: { kind: 'store-url' },
    default: '',
    description:
      "The store this one extends (empty = `auto`). Any store with a store directory on the local file system: a local store (`/mnt/base`, `local?root=…`), a daemon store, or another `local-overlay` store (percent-encoded once per level, or a named store `@base`). Its `real` directory must be the overlay mount's `lowerdir`, and its logical `store` must equal this store's. It is never written: it is opened as a lower store (read-only database, no locks, no temporary roots).",
  },
  {
    name: 'upper-layer',
    type: { kind: 'path', optional: true },
    default: undefined,
    description:
      'Required. The directory used as the OverlayFS `upperdir` of the mount on `real`: it holds only the objects added through this store (plus whiteouts and OverlayFS bookkeeping). Deletions of objects that also exist in the lower store are made here directly, never through the mount.',
  },
  {
    name: 'check-mount',
    type: { kind: 'bool' },
    default: true,
    description:
      'Check, when the store is opened, that `real` is an overlay mount (the last one listed in /proc/self/mountinfo) whose `upperdir` is `upper-layer` and whose lower layers are the lower store\'s `real` (nested stacking) or, a Strata extension, the upper layers of every overlay level below followed by the base store directory (flat stacking). Otherwise opening fails with `overlay filesystem "<real>" mounted incorrectly` and a hint with the mount that was expected.',
  },
  {
    name: 'remount-hook',
    type: { kind: 'path', optional: true },
    default: undefined,
    description:
      'A program run after an operation deleted something directly in the upper layer (garbage collection, `delete`, `optimise`), so the kernel forgets stale lookups. Run without a shell, with one argument: `real`. A two-line script is enough: `#!/bin/sh` and `LIBMOUNT_FORCE_MOUNT2=always mount -o remount "$1"`. Unset: a warning `"<real>" needs remounting, set remount-hook to do this automatically`.',
  },
]);
