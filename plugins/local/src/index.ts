/**
 * @strata/plugin-local — the `local` store: a Nix store on this machine's file system, shared
 * with Nix 2.8 (same layout, database, locks). Schemes: `local` (`local`, `local:///root`,
 * `local?root=…`) and bare paths (`/srv/root` = a chroot store there).
 *
 * @example
 *   registry.register(localPlugin);
 *   const store = await registry.openStore('/tmp/root');
 *   await store.addToStore('./hello.txt');
 */
import { CORE_VERSION, defineStorePlugin } from '@strata/core';
import { LOCAL_STORE_SETTINGS } from './settings.js';
import { LocalStore } from './store/local-store.js';

export * from './db/index.js';
export * from './gc/index.js';
export * from './layout/init.js';
export * from './layout/locations.js';
export * from './locks/index.js';
export * from './optimise/index.js';
export * from './settings.js';
export type { LocalStoreContext } from './store/context.js';
export { LocalStore } from './store/local-store.js';
export * from './verify/index.js';

const DOC = `A Nix store on this machine's file system, the store Nix 2.8 calls \`local\`: objects in the store directory, their metadata in the SQLite database \`<state>/db/db.sqlite\`, garbage collector roots, temporary roots and locks in the state directory. Strata and Nix 2.8 can use the same store at the same time: the layout, database rows and \`flock\` locks are Nix's.

A *chroot store* keeps everything under one directory while its paths still say \`/nix/store\`: \`/srv/root\`, \`local:///srv/root\` or \`local?root=/srv/root\` put objects in \`/srv/root/nix/store\` and state in \`/srv/root/nix/var/nix\`. It needs no root privileges. Nothing is created until the first write.

With \`read-only=true\` (experimental feature \`read-only-local-store\`) the database is opened immutable and no lock or temporary root is taken: for stores on read-only media, and for lower stores shared by overlays (a store opened as another store's lower store is always read-only).`;

/** The plugin manifest (the module's default export). */
export const localPlugin = defineStorePlugin({
  name: '@strata/plugin-local',
  version: CORE_VERSION,
  core: `^${CORE_VERSION}`,
  stores: [
    {
      name: 'Local Store',
      schemes: ['local'],
      authority: 'path',
      authoritySetting: 'root',
      settings: LOCAL_STORE_SETTINGS,
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
      doc: DOC,
      urlFormats: ['local', 'local://', 'local:///<root>', '<absolute or ./relative path>'],
      open: (config, context) => new LocalStore(config, context),
    },
  ],
});

export default localPlugin;
