/**
 * @strata/plugin-dummy — the `dummy://` store, as Nix has it: an empty store that refuses
 * writes. Useful to evaluate or parse without any store, and the smallest example of a plugin.
 *
 * @example
 *   registry.register(dummyPlugin);
 *   const store = await registry.openStore('dummy://?store=/custom');
 *   await store.isValidPath('/custom/…-x');   // false
 */
import {
  CORE_VERSION,
  defineStorePlugin,
  extendSchema,
  STORE_SETTINGS,
  STORE_SETTINGS_BY_NAME,
} from '@strata/core';
import { DummyStore } from './store.js';

export { DummyStore } from './store.js';

/** The plugin manifest (the module's default export). */
export const dummyPlugin = defineStorePlugin({
  name: '@strata/plugin-dummy',
  version: CORE_VERSION,
  core: `^${CORE_VERSION}`,
  stores: [
    {
      name: 'Dummy Store',
      schemes: ['dummy'],
      authority: 'none',
      settings: extendSchema(STORE_SETTINGS, [
        // Nothing to cache in a store that has nothing.
        { ...STORE_SETTINGS_BY_NAME['path-info-cache-size']!, default: 0 },
      ]),
      capabilities: [],
      doc: 'A store that contains nothing and accepts nothing: every path is invalid and every write is refused. Useful for evaluation and for parsing without touching any real store.',
      urlFormats: ['dummy://'],
      open: (config) => new DummyStore(config),
    },
  ],
});

export default dummyPlugin;
