/**
 * The dummy store: always empty, refuses every write. Queries answer "not valid"; everything
 * else fails with `operation '…' is not supported by store 'dummy://'`, as in Nix 2.8 (which
 * also refuses `queryReferrers`, `queryPathFromHashPart` and `queryAllValidPaths`).
 */
import {
  BaseStore,
  type PathInfo,
  type StoreCapability,
  type StoreConfig,
  StoreDir,
  strataError,
} from '@strata/core';

/** An empty, read-only store. */
export class DummyStore extends BaseStore {
  readonly storeDir: string;
  readonly url: string;
  readonly capabilities: ReadonlySet<StoreCapability> = new Set();

  constructor(config: StoreConfig) {
    super();
    this.storeDir = config.get<string>('store');
    this.url = config.renderReference();
  }

  override async isValidPath(path: string): Promise<boolean> {
    new StoreDir(this.storeDir).parsePath(path);
    return false;
  }

  override async queryPathInfo(path: string): Promise<PathInfo> {
    const dir = new StoreDir(this.storeDir);
    throw strataError('STRATA_ERR_STORE_NOT_VALID', { path: dir.print(dir.parsePath(path)) });
  }
}
