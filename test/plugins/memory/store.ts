/**
 * An in-memory store that lives only in the test tree: proof that a plugin written outside
 * this repository's packages can do what a built-in one does — write, query, sign, collect
 * garbage — through nothing but @strata/core's public API (including its injection tokens).
 */
import {
  type AddNarOptions,
  BaseStore,
  type ByteStream,
  compareBytewise,
  countValidSignatures,
  type GcOptions,
  type GcResult,
  hashBytes,
  inject,
  injectable,
  type OptimiseResult,
  type PathInfo,
  readCheckedNar,
  STORE_CONFIG,
  STORE_OPEN_CONTEXT,
  type StoreCapability,
  type StoreConfig,
  StoreDir,
  type StoreOpenContext,
  strataError,
  trustedKeySet,
  unsupported,
  type VerifyResult,
  withSignatures,
} from '@strata/core';

interface StoredObject {
  info: PathInfo;
  nar: Uint8Array;
}

/** A store whose objects live in a Map; it disappears when closed. */
@injectable()
export class MemoryStore extends BaseStore {
  readonly storeDir: string;
  readonly url: string;
  readonly capabilities: ReadonlySet<StoreCapability> = new Set([
    'write',
    'signatures',
    'referrers',
    'derivers',
    'gc',
    'verify',
    'optimise',
  ]);
  readonly #objects = new Map<string, StoredObject>();
  readonly #permRoots = new Map<string, string>();
  readonly #tempRoots = new Set<string>();
  readonly #requireSigs: boolean;
  readonly #trustedKeys: readonly string[];
  /** Opened as another store's lower store: such a store is never written. */
  readonly #lowerOnly: boolean;
  #closed = false;

  constructor(
    @inject(STORE_CONFIG) config: StoreConfig,
    @inject(STORE_OPEN_CONTEXT) context: StoreOpenContext,
  ) {
    super();
    this.storeDir = config.get<string>('store');
    this.url = config.renderReference();
    this.#requireSigs = config.get<boolean>('require-sigs');
    this.#trustedKeys = config.get<string[]>('trusted-public-keys');
    this.#lowerOnly = context.role === 'lower';
  }

  /** The number of stored objects (for tests of "the store is unchanged"). */
  get size(): number {
    return this.#objects.size;
  }

  #check(path: string): string {
    if (this.#closed) throw new Error(`store '${this.url}' is closed`);
    const dir = new StoreDir(this.storeDir);
    return dir.print(dir.parsePath(path));
  }

  #get(path: string): StoredObject {
    const p = this.#check(path);
    const o = this.#objects.get(p);
    if (!o) throw strataError('STRATA_ERR_STORE_NOT_VALID', { path: p });
    return o;
  }

  override async isValidPath(path: string): Promise<boolean> {
    return this.#objects.has(this.#check(path));
  }

  override async queryPathInfo(path: string): Promise<PathInfo> {
    return this.#get(path).info;
  }

  override async queryReferrers(path: string): Promise<string[]> {
    const p = this.#check(path);
    return [...this.#objects.values()]
      .filter((o) => o.info.references.includes(p))
      .map((o) => o.info.path)
      .sort(compareBytewise);
  }

  override async queryValidDerivers(path: string): Promise<string[]> {
    const d = this.#get(path).info.deriver;
    return d !== undefined && this.#objects.has(d) ? [d] : [];
  }

  override async queryDerivationOutputs(drvPath: string): Promise<string[]> {
    const p = this.#check(drvPath);
    return [...this.#objects.values()]
      .filter((o) => o.info.deriver === p)
      .map((o) => o.info.path)
      .sort(compareBytewise);
  }

  override async queryAllValidPaths(): Promise<string[]> {
    return [...this.#objects.keys()].sort(compareBytewise);
  }

  override async addNar(
    info: PathInfo,
    nar: ByteStream,
    options: AddNarOptions = {},
  ): Promise<void> {
    if (this.#lowerOnly) throw unsupported(this, 'addNar');
    const path = this.#check(info.path);
    for (const ref of info.references) {
      if (this.#check(ref) !== path && !this.#objects.has(ref)) {
        throw strataError('STRATA_ERR_STORE_REFERENCE_NOT_VALID', { path, reference: ref });
      }
    }
    const checkSigs = options.checkSigs ?? this.#requireSigs;
    if (checkSigs) {
      const trusted = trustedKeySet(this.#trustedKeys);
      if (countValidSignatures(info, trusted, new StoreDir(this.storeDir)) < 1) {
        throw strataError('STRATA_ERR_STORE_LACKS_SIGNATURE', { path });
      }
    }
    // Read (and check) everything before changing anything: a bad NAR leaves the store as it was.
    const bytes = await readCheckedNar(info, nar);
    if (this.#objects.has(path) && !options.repair) return;
    this.#objects.set(path, {
      info: { ...info, narSize: bytes.length, registrationTime: Math.floor(Date.now() / 1000) },
      nar: bytes,
    });
  }

  override async *narFromPath(path: string): ByteStream {
    yield this.#get(path).nar;
  }

  override async addSignatures(path: string, sigs: readonly string[]): Promise<void> {
    const o = this.#get(path);
    o.info = withSignatures(o.info, sigs);
  }

  override async addTempRoot(path: string): Promise<void> {
    this.#tempRoots.add(this.#check(path));
  }

  override async addPermRoot(path: string, gcRoot: string): Promise<string> {
    this.#get(path);
    this.#permRoots.set(gcRoot, this.#check(path));
    return gcRoot;
  }

  override async findRoots(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const [root, path] of this.#permRoots) out.set(path, [...(out.get(path) ?? []), root]);
    for (const path of this.#tempRoots) out.set(path, [...(out.get(path) ?? []), '{temp}']);
    return out;
  }

  async #live(): Promise<Set<string>> {
    const live = new Set<string>();
    const stack = [...this.#permRoots.values(), ...this.#tempRoots].filter((p) =>
      this.#objects.has(p),
    );
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (live.has(p)) continue;
      live.add(p);
      stack.push(...this.#objects.get(p)!.info.references.filter((r) => this.#objects.has(r)));
    }
    return live;
  }

  override async collectGarbage(options: GcOptions): Promise<GcResult> {
    const live = await this.#live();
    if (options.action === 'return-live')
      return { paths: [...live].sort(compareBytewise), bytesFreed: 0n };
    const dead = [...this.#objects.keys()].filter((p) => !live.has(p)).sort(compareBytewise);
    if (options.action === 'return-dead') return { paths: dead, bytesFreed: 0n };
    if (options.action === 'delete-specific') {
      return this.#deleteSpecific(options.paths ?? [], options.ignoreLiveness ?? false);
    }
    return this.#delete(dead, options.maxFreed);
  }

  override async deleteStorePaths(paths: readonly string[]): Promise<GcResult> {
    return this.#deleteSpecific(paths, false);
  }

  async #deleteSpecific(paths: readonly string[], ignoreLiveness: boolean): Promise<GcResult> {
    const live = ignoreLiveness ? new Set<string>() : await this.#live();
    const targets = paths.map((p) => this.#check(p));
    for (const p of targets) {
      const referrers = (await this.queryReferrers(p)).filter(
        (r) => r !== p && !targets.includes(r),
      );
      if (live.has(p) || referrers.length > 0)
        throw strataError('STRATA_ERR_STORE_PATH_ALIVE', { path: p });
    }
    return this.#delete(targets);
  }

  #delete(paths: readonly string[], maxFreed?: bigint): GcResult {
    const deleted: string[] = [];
    let freed = 0n;
    for (const p of paths) {
      if (maxFreed !== undefined && freed >= maxFreed) break;
      const o = this.#objects.get(p);
      if (!o) continue;
      this.#objects.delete(p);
      freed += BigInt(o.nar.length);
      deleted.push(p);
    }
    return { paths: deleted, bytesFreed: freed };
  }

  override async verify(options: { checkContents?: boolean } = {}): Promise<VerifyResult> {
    const messages: string[] = [];
    if (options.checkContents) {
      for (const o of this.#objects.values()) {
        const got = hashBytes(o.info.narHash.algorithm, o.nar);
        if (!got.equals(o.info.narHash)) {
          messages.push(
            `path '${o.info.path}' was modified! expected hash '${o.info.narHash.toString('base32')}', got '${got.toString('base32')}'`,
          );
        }
      }
    }
    return { errors: messages.length > 0, messages };
  }

  override async optimise(): Promise<OptimiseResult> {
    return { filesLinked: 0, bytesFreed: 0n };
  }

  override async close(): Promise<void> {
    this.#closed = true;
    this.#objects.clear();
  }
}
