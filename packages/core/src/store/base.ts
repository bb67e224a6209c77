/**
 * `BaseStore`: a starting point for plugins. Every operation fails with the typed
 * "unsupported" error until the subclass provides it, and the operations that can be written
 * once on top of others are: `addTextToStore` and `addToStore` build the NAR and the
 * content-addressed path and hand them to `addNar` (for stores with the `write` capability); `queryValidPaths` asks `isValidPath`;
 * `queryPathFromHashPart` scans `queryAllValidPaths`; `getInfo` reports `url` and `storeDir`.
 *
 * @example
 *   class MyStore extends BaseStore {
 *     readonly capabilities = new Set(['write']);
 *     async isValidPath(p: string) { … }
 *     async queryPathInfo(p: string) { … }
 *     async addNar(info: PathInfo, nar: ByteStream) { … }
 *     narFromPath(p: string) { … }
 *   }
 */
import { hashBytes } from '../hash/hasher.js';
import { encodeNar } from '../nar/write.js';
import { makePathInfo, type PathInfo } from '../path-info/path-info.js';
import { makeTextPath } from '../store-path/make.js';
import { StoreDir } from '../store-path/store-dir.js';
import { addPathToStore } from './add-path.js';
import type {
  AddNarOptions,
  AddToStoreOptions,
  ByteStream,
  GcOptions,
  GcResult,
  OptimiseResult,
  Store,
  StoreActivity,
  StoreCapability,
  StoreInfo,
  VerifyOptions,
  VerifyResult,
} from './types.js';
import { unsupported } from './unsupported.js';

/** A store whose unimplemented operations fail with `operation '…' is not supported`. */
export abstract class BaseStore implements Store {
  abstract readonly storeDir: string;
  abstract readonly url: string;
  abstract readonly capabilities: ReadonlySet<StoreCapability>;

  /** The store directory as a validated `StoreDir` (for path computations). */
  protected get dir(): StoreDir {
    return new StoreDir(this.storeDir);
  }

  async isValidPath(_path: string): Promise<boolean> {
    throw unsupported(this, 'isValidPath');
  }

  async queryValidPaths(paths: readonly string[]): Promise<string[]> {
    const valid = await Promise.all(paths.map((p) => this.isValidPath(p)));
    return paths.filter((_p, i) => valid[i]);
  }

  async queryPathInfo(_path: string): Promise<PathInfo> {
    throw unsupported(this, 'queryPathInfo');
  }

  async queryReferrers(_path: string): Promise<string[]> {
    throw unsupported(this, 'queryReferrers');
  }

  async queryValidDerivers(_path: string): Promise<string[]> {
    throw unsupported(this, 'queryValidDerivers');
  }

  async queryDerivationOutputs(_drvPath: string): Promise<string[]> {
    throw unsupported(this, 'queryDerivationOutputs');
  }

  async queryPathFromHashPart(hashPart: string): Promise<string | undefined> {
    const prefix = `${this.storeDir}/${hashPart}`;
    return (await this.queryAllValidPaths()).find(
      (p) => p.startsWith(prefix) && p[prefix.length] === '-',
    );
  }

  async queryAllValidPaths(): Promise<string[]> {
    throw unsupported(this, 'queryAllValidPaths');
  }

  async addToStore(source: string, options: AddToStoreOptions = {}): Promise<PathInfo> {
    if (!this.capabilities.has('write')) throw unsupported(this, 'addToStore');
    return addPathToStore(this, source, options);
  }

  async addTextToStore(
    name: string,
    text: string | Uint8Array,
    references: readonly string[] = [],
  ): Promise<string> {
    if (!this.capabilities.has('write')) throw unsupported(this, 'addTextToStore');
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const dir = this.dir;
    const path = dir.print(
      makeTextPath(
        name,
        hashBytes('sha256', data),
        references.map((r) => dir.parsePath(r)),
        dir,
      ),
    );
    if (await this.isValidPath(path)) return path;
    const nar = encodeNar([
      { type: 'regular', executable: false, size: data.length },
      ...(data.length > 0 ? [{ type: 'contents' as const, data }] : []),
      { type: 'regular-end' },
    ]);
    const info = makePathInfo({
      path,
      narHash: hashBytes('sha256', nar),
      narSize: nar.length,
      references,
      ca: { method: 'text', hash: hashBytes('sha256', data) },
    });
    await this.addNar(
      info,
      (async function* () {
        yield nar;
      })(),
    );
    return path;
  }

  async addNar(_info: PathInfo, _nar: ByteStream, _options?: AddNarOptions): Promise<void> {
    throw unsupported(this, 'addNar');
  }

  narFromPath(_path: string): ByteStream {
    throw unsupported(this, 'narFromPath');
  }

  async addSignatures(_path: string, _sigs: readonly string[]): Promise<void> {
    throw unsupported(this, 'addSignatures');
  }

  async collectGarbage(_options: GcOptions): Promise<GcResult> {
    throw unsupported(this, 'collectGarbage');
  }

  async deleteStorePaths(_paths: readonly string[], _options?: StoreActivity): Promise<GcResult> {
    throw unsupported(this, 'deleteStorePaths');
  }

  async findRoots(_options?: StoreActivity): Promise<Map<string, string[]>> {
    throw unsupported(this, 'findRoots');
  }

  async addTempRoot(_path: string): Promise<void> {
    throw unsupported(this, 'addTempRoot');
  }

  async addPermRoot(_path: string, _gcRoot: string): Promise<string> {
    throw unsupported(this, 'addPermRoot');
  }

  async verify(_options?: VerifyOptions): Promise<VerifyResult> {
    throw unsupported(this, 'verify');
  }

  async optimise(_options?: StoreActivity): Promise<OptimiseResult> {
    throw unsupported(this, 'optimise');
  }

  async getInfo(): Promise<StoreInfo> {
    return { url: this.url, storeDir: this.storeDir };
  }

  async close(): Promise<void> {}
}
