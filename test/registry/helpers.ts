// Shared setup for the cross-package registry tests: a registry with the built-in dummy
// plugin and the two test-only plugins loaded from their files, plus a spy plugin that
// records every open and close, to prove that failures open (and write) nothing.
import { fileURLToPath } from 'node:url';
import {
  type AutoProbe,
  BaseStore,
  CORE_VERSION,
  defineStorePlugin,
  extendSchema,
  LOCAL_FS_STORE_SETTINGS,
  loadPlugins,
  STORE_SETTINGS,
  type StoreCapability,
  type StoreConfig,
  StoreRegistry,
} from '@strata/core';
import dummyPlugin from '../../plugins/dummy/src/index.js';

export const PLUGINS_DIR = fileURLToPath(new URL('../plugins/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const CONFIG_FILE = `${PLUGINS_DIR}strata.config.yaml`;

/** What the spy plugin saw. */
export interface SpyLog {
  opened: string[];
  closed: string[];
}

class SpyStore extends BaseStore {
  readonly storeDir: string;
  readonly url: string;
  readonly capabilities: ReadonlySet<StoreCapability>;
  constructor(
    config: StoreConfig,
    private readonly log: SpyLog,
  ) {
    super();
    this.storeDir = config.get<string>('store');
    this.url = config.renderReference();
    this.capabilities = new Set(config.implementation.capabilities);
  }
  override async isValidPath(): Promise<boolean> {
    return false;
  }
  override async close(): Promise<void> {
    this.log.closed.push(this.url);
  }
}

/** A plugin with a gated `spy` store, a `local` look-alike and a `unix` look-alike that log opens. */
export function spyPlugin(log: SpyLog) {
  const open = (config: StoreConfig) => {
    log.opened.push(config.renderReference());
    return new SpyStore(config, log);
  };
  return defineStorePlugin({
    name: 'spy-plugin',
    core: `^${CORE_VERSION}`,
    stores: [
      {
        name: 'Spy Gated Store',
        schemes: ['gated'],
        authority: 'none',
        experimentalFeature: 'local-overlay-store',
        settings: STORE_SETTINGS,
        capabilities: [],
        doc: 'Needs a feature.',
        urlFormats: ['gated://'],
        open,
      },
      {
        name: 'Spy Local Store',
        schemes: ['local'],
        authority: 'path',
        authoritySetting: 'root',
        settings: extendSchema(LOCAL_FS_STORE_SETTINGS, [
          {
            name: 'read-only',
            type: { kind: 'bool' },
            default: false,
            experimentalFeature: 'read-only-local-store',
            description: 'Open without writing.',
          },
          {
            name: 'require-sigs',
            type: { kind: 'bool' },
            default: (ctx) => (ctx.global['require-sigs'] as boolean | undefined) ?? true,
            description: 'Require signatures.',
          },
        ]),
        capabilities: ['local-fs', 'referrers'],
        doc: 'Looks like the local store.',
        urlFormats: ['local', 'local://', '/path'],
        open,
      },
      {
        name: 'Spy Daemon Store',
        schemes: ['unix'],
        authority: 'path',
        settings: extendSchema(LOCAL_FS_STORE_SETTINGS, [
          {
            name: 'max-connections',
            type: { kind: 'int' },
            default: 1,
            description: 'Connections.',
          },
        ]),
        capabilities: ['local-fs'],
        doc: 'Looks like the daemon store.',
        urlFormats: ['daemon', 'unix://'],
        open,
      },
      {
        name: 'Spy HTTP Store',
        schemes: ['http', 'https'],
        authority: 'url',
        settings: STORE_SETTINGS,
        capabilities: [],
        doc: 'Looks like a binary cache.',
        urlFormats: ['https://host/path'],
        open,
      },
    ],
  });
}

/** A probe for `auto` that finds the local store's state directory writable. */
export const LOCAL_AUTO: AutoProbe = {
  canReadWrite: () => true,
  exists: () => true,
  uid: () => 1000,
  platform: () => 'linux',
};

/** The registry the tests share: dummy built in, memory and layer loaded from files, spy. */
export async function testRegistry(log: SpyLog = { opened: [], closed: [] }) {
  const registry = new StoreRegistry({ autoProbe: LOCAL_AUTO });
  registry.register(dummyPlugin);
  await loadPlugins(registry, [
    { specifier: './memory/index.ts', origin: { kind: 'config-file', file: CONFIG_FILE } },
    { specifier: './layer/index.ts', origin: { kind: 'config-file', file: CONFIG_FILE } },
  ]);
  registry.register(spyPlugin(log), 'test/registry/helpers.ts');
  return { registry, log };
}

/** Runs `fn`, which must throw; returns the message. */
export async function messageOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}
