/**
 * `layer://` — a second test-only plugin: a read-through store over a lower store named by its
 * `lower-store` setting (a store URL, opened through the registry like an overlay's). Writes
 * stay in the layer; reads fall through to the lower store, which is never written. It proves
 * composition, sharing of one lower store between two layers, and cycle detection for
 * plugins the registry knows nothing about.
 */
import {
  BaseStore,
  type ByteStream,
  CORE_VERSION,
  compareBytewise,
  defineStorePlugin,
  extendSchema,
  type PathInfo,
  readCheckedNar,
  STORE_SETTINGS,
  type Store,
  type StoreCapability,
  type StoreConfig,
  StoreDir,
  strataError,
} from '@strata/core';

/** Writes in memory, reads through to `lower`. */
export class LayerStore extends BaseStore {
  readonly storeDir: string;
  readonly url: string;
  readonly capabilities: ReadonlySet<StoreCapability> = new Set(['write', 'referrers']);
  readonly lower: Store;
  readonly #upper = new Map<string, { info: PathInfo; nar: Uint8Array }>();

  constructor(config: StoreConfig, lower: Store) {
    super();
    this.storeDir = config.get<string>('store');
    this.url = config.renderReference();
    this.lower = lower;
  }

  #canon(path: string): string {
    const dir = new StoreDir(this.storeDir);
    return dir.print(dir.parsePath(path));
  }

  override async isValidPath(path: string): Promise<boolean> {
    return this.#upper.has(this.#canon(path)) || this.lower.isValidPath(path);
  }

  override async queryPathInfo(path: string): Promise<PathInfo> {
    return this.#upper.get(this.#canon(path))?.info ?? this.lower.queryPathInfo(path);
  }

  override async queryReferrers(path: string): Promise<string[]> {
    const p = this.#canon(path);
    const mine = [...this.#upper.values()]
      .filter((o) => o.info.references.includes(p))
      .map((o) => o.info.path);
    return [...new Set([...mine, ...(await this.lower.queryReferrers(path))])].sort(
      compareBytewise,
    );
  }

  override async queryAllValidPaths(): Promise<string[]> {
    const all = new Set([...this.#upper.keys(), ...(await this.lower.queryAllValidPaths())]);
    return [...all].sort(compareBytewise);
  }

  override async addNar(info: PathInfo, nar: ByteStream): Promise<void> {
    const path = this.#canon(info.path);
    for (const ref of info.references) {
      if (ref !== path && !(await this.isValidPath(ref))) {
        throw strataError('STRATA_ERR_STORE_REFERENCE_NOT_VALID', { path, reference: ref });
      }
    }
    const bytes = await readCheckedNar(info, nar);
    if (!(await this.isValidPath(path))) this.#upper.set(path, { info, nar: bytes });
  }

  override narFromPath(path: string): ByteStream {
    const o = this.#upper.get(this.#canon(path));
    if (!o) return this.lower.narFromPath(path);
    return (async function* () {
      yield o.nar;
    })();
  }

  /** How many objects the layer itself holds. */
  get size(): number {
    return this.#upper.size;
  }

  override async close(): Promise<void> {
    this.#upper.clear();
  }
}

export default defineStorePlugin({
  name: 'strata-test-plugin-layer',
  version: '1.0.0',
  core: `^${CORE_VERSION}`,
  stores: [
    {
      name: 'Layer Store',
      schemes: ['layer'],
      authority: 'none',
      settings: extendSchema(STORE_SETTINGS, [
        {
          name: 'lower-store',
          type: { kind: 'store-url' },
          default: '',
          description: 'The store reads fall through to; it is never written. Empty means `auto`.',
          aliases: ['lower'],
        },
        {
          name: 'label',
          type: { kind: 'optional-string' },
          default: undefined,
          description: 'Distinguishes otherwise identical layers in one composition.',
        },
      ]),
      capabilities: ['write', 'referrers'],
      lowerStoreCapabilities: { 'lower-store': ['referrers'] },
      doc: 'A read-through layer for tests: writes stay in memory, reads fall through to `lower-store`.',
      urlFormats: ['layer://?lower-store=URL'],
      open: async (config, context) =>
        new LayerStore(config, await context.openLower('lower-store')),
    },
  ],
});
