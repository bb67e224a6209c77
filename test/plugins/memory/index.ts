/**
 * `memory://` — a test-only plugin, loaded by `import()` from this file exactly as a
 * third-party plugin would be. Its store keeps objects in memory; see store.ts.
 */
import { CORE_VERSION, defineStorePlugin, extendSchema, STORE_SETTINGS } from '@strata/core';
import { MemoryStore } from './store.js';

export default defineStorePlugin({
  name: 'strata-test-plugin-memory',
  version: '1.0.0',
  core: `^${CORE_VERSION}`,
  stores: [
    {
      name: 'Memory Store',
      schemes: ['memory'],
      authority: 'none',
      settings: extendSchema(STORE_SETTINGS, [
        {
          name: 'require-sigs',
          type: { kind: 'bool' },
          default: false,
          description: 'Whether imported paths need a signature by one of `trusted-public-keys`.',
        },
        {
          name: 'trusted-public-keys',
          type: { kind: 'string-list' },
          default: (ctx) => {
            const keys = ctx.global['trusted-public-keys'];
            return Array.isArray(keys) ? (keys as string[]) : [];
          },
          aliases: ['binary-cache-public-keys'],
          description: 'Keys whose signatures this store accepts.',
        },
        {
          name: 'label',
          type: { kind: 'optional-string' },
          default: undefined,
          description: 'Distinguishes otherwise identical memory stores in one composition.',
        },
      ]),
      capabilities: ['write', 'signatures', 'referrers', 'derivers', 'gc', 'verify', 'optimise'],
      doc: 'A store held in memory, for tests. It starts empty and is gone when closed.',
      urlFormats: ['memory://'],
      // Resolved through the store's own container: the class asks for its config by token.
      open: (_config, context) => context.container.resolve(MemoryStore),
    },
  ],
});
