/**
 * @strata/plugin-local-overlay — the `local-overlay` store (experimental feature
 * `local-overlay-store`): a local store whose store directory is an OverlayFS mount over
 * another store's directory (spec/local-overlay.md). Lower stores nest to any depth, through
 * percent-encoded URLs or named stores; the lower store is never written.
 *
 * @example
 *   registry.register(localPlugin);
 *   registry.register(localOverlayPlugin);
 *   const store = await registry.openStore(
 *     'local-overlay://?root=/srv/merged&lower-store=/srv/base&upper-layer=/srv/upper',
 *     { features: ['local-overlay-store'] });
 */
import { CORE_VERSION, defineStorePlugin } from '@strata/core';
import { openLocalOverlayStore } from './open.js';
import { LOCAL_OVERLAY_STORE_SETTINGS } from './settings.js';

export * from './chain.js';
export { LocalOverlayStore } from './local-overlay-store.js';
export * from './mount-check.js';
export * from './open.js';
export * from './remount-hook.js';
export * from './settings.js';
export * from './upper-layer.js';

const DOC = `A local store whose store directory is an OverlayFS mount: the objects of a *lower store* (read-only, possibly shared by many overlays) plus the objects added through this store, which land in the mount's *upper layer*. Its own SQLite database (\`<state>/db/db.sqlite\`) lists what it added and copies of the metadata of the lower objects it uses, so every closure in it is complete and Nix reads it as a normal store. The lower store is never written: deletions of objects the lower store also has happen in the upper layer directly, and then the mount must be remounted (\`remount-hook\`).

The administrator mounts the overlay; the store checks it when opened (\`check-mount\`). Worked layout, all on one file system:

\`\`\`
/mnt/example/store-a/nix/store        lower store dir     (lower-store=/mnt/example/store-a)
/mnt/example/store-b                  upper layer         (upper-layer=/mnt/example/store-b)
/mnt/example/workdir                  OverlayFS workdir   (empty, same file system as the upper layer)
/mnt/example/merged-store/nix/store   the mount = real    (root=/mnt/example/merged-store)
/mnt/example/merged-store/nix/var/nix state: upper database, GC roots (an ordinary directory)

mount -t overlay overlay -o lowerdir=/mnt/example/store-a/nix/store,upperdir=/mnt/example/store-b,workdir=/mnt/example/workdir /mnt/example/merged-store/nix/store
strata --store 'local-overlay://?root=/mnt/example/merged-store&lower-store=/mnt/example/store-a&upper-layer=/mnt/example/store-b' add ./tool
\`\`\`

The lower store can be another \`local-overlay\` store, to any depth (at most 32 levels): percent-encode its URL once per level (\`strata url render\` does it), or name it in the configuration (\`lower-store=@team\`). The kernel lets an overlay mount sit on at most one other overlay mount, so deeper stacks use the *flat layout*: one mount whose lower layers are the upper layers of every level below, top-most first, then the base store directory (\`lowerdir=/s2-upper:/s1-upper:/l0/nix/store\`), with the levels below frozen (unmounted, opened with \`check-mount=false\`). The mount check accepts both layouts.

Queries fall through to the lower store; referrers and derivers are the union of both; garbage collection, \`delete\` and \`optimise\` touch only the upper layer; \`verify\` checks only the paths in this store's database. Hard-link optimisation is replaced by removing upper copies of paths the lower store has.`;

/** The plugin manifest (the module's default export). */
export const localOverlayPlugin = defineStorePlugin({
  name: '@strata/plugin-local-overlay',
  version: CORE_VERSION,
  core: `^${CORE_VERSION}`,
  stores: [
    {
      name: 'Experimental Local Overlay Store',
      schemes: ['local-overlay'],
      authority: 'path',
      authoritySetting: 'root',
      settings: LOCAL_OVERLAY_STORE_SETTINGS,
      experimentalFeature: 'local-overlay-store',
      capabilities: [
        'local-fs',
        'write',
        'signatures',
        'referrers',
        'derivers',
        'gc',
        'verify',
        'optimise',
      ],
      lowerStoreCapabilities: { 'lower-store': ['local-fs'] },
      doc: DOC,
      urlFormats: ['local-overlay://?<settings>', 'local-overlay:///<root>?<settings>'],
      open: openLocalOverlayStore,
    },
  ],
});

export default localOverlayPlugin;
