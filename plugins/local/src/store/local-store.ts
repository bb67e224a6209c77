/**
 * The local store (spec store-format §5–§12): a store directory and a SQLite database on this
 * machine, shared with Nix 2.8 — the same layout, rows, locks and temporary roots, so Nix and
 * Strata can work on one store at the same time.
 *
 * Opening creates nothing: the layout and database appear with the first write, and reading a
 * store that has no database yet sees an empty store. A `read-only` store opens its database
 * immutable; one opened as another store's lower store reads it through a plain read-only
 * connection (so it sees what Nix adds meanwhile). Neither takes a lock, writes a temporary
 * root or accepts a write.
 *
 * Adding is one pass: the NAR (read from the source, or given) is parsed, written in canonical
 * form at a temporary name inside the store (protected by a temporary root), hashed and
 * scanned (the hashing on a worker thread for big sources; a big single file is copied and
 * hashed natively, a tree's small files are created on the thread pool, many at once); then,
 * under the path's lock, the object is renamed into place and registered in one transaction.
 * A path is never
 * valid before its files are complete; a crash leaves at most an unregistered leftover, which
 * the next add of that path or the garbage collector removes. An import (`addNar`, `addNars`)
 * knows its path up front: it writes the object at its final location under the path's lock,
 * as Nix does, and registers many objects per transaction (see `NarImporter`).
 *
 * Subclasses (the overlay store) hook in through the protected methods: `registerInfos`,
 * `onAlreadyValid`, `checkReferences`, `gcHooks`, `verifyHooks` and the database accessors.
 *
 * @example
 *   const store = await registry.openStore('/tmp/root');      // chroot store
 *   const info = await store.addToStore('./src');
 *   for await (const chunk of store.narFromPath(info.path)) out.write(chunk);
 */

import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, lstatSync, realpathSync, renameSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { strataError } from '@strata/core/errors';
import { Hash, type HashAlgorithm, hashFile } from '@strata/core/hash';
import { ioError } from '@strata/core/io-error';
import { dumpPath, narHashOfPath, WorkerHasher } from '@strata/core/nar';
import {
  compareBytewise,
  countValidSignatures,
  makePathInfo,
  type PathInfo,
  trustedKeySet,
} from '@strata/core/path-info';
import {
  renderStoreReference,
  type StoreConfig,
  type StoreOpenContext,
} from '@strata/core/registry';
import { isFeatureEnabled, requireExperimentalFeature } from '@strata/core/settings';
import {
  type AddNarOptions,
  type AddToStoreOptions,
  BaseStore,
  type ByteStream,
  type GcOptions,
  type GcResult,
  type OptimiseResult,
  type StoreActivity,
  type StoreCapability,
  type StoreDiagnosis,
  type StoreInfo,
  type VerifyOptions,
  type VerifyResult,
} from '@strata/core/store';
import { makeFixedOutputPath, StoreDir } from '@strata/core/store-path';
import { flock } from '@strata/native';
import { NarImporter } from '../add/import-batch.js';
import { ObjectSink, type ObjectSinkResult } from '../add/object-sink.js';
import { OFFLOAD_AFTER, pumpSource } from '../add/pump-source.js';
import { addSingleFile, NATIVE_COPY_AFTER } from '../add/single-file.js';
import { DerivationFiles } from '../db/derivation-files.js';
import { readSchemaVersion } from '../db/open.js';
import { openStoreDatabase, type StoreDatabase } from '../db/store-database.js';
import { collectGarbage, type GcHooks } from '../gc/collect.js';
import { deleteRealPath } from '../gc/delete-path.js';
import { addPermRoot, findRoots } from '../gc/roots.js';
import { TempRootsFile } from '../gc/temp-roots.js';
import { checkNoSymlinkedStore, createStoreLayout } from '../layout/init.js';
import { realPath, type StoreLocations, storeLocations } from '../layout/locations.js';
import { type HeldLock, openLockFile } from '../locks/lock-file.js';
import { lockPaths } from '../locks/path-locks.js';
import { newOptimiseStats, optimisePath, optimiseStore } from '../optimise/optimise.js';
import { type LocalGlobals, readLocalGlobals } from '../settings.js';
import { type VerifyHooks, verifyStore } from '../verify/verify.js';
import { verifyPaths } from '../verify/verify-path.js';
import type { LocalStoreContext } from './context.js';
import { diagnoseLocalStore } from './diagnose.js';
import { emptyStoreDatabase } from './empty-database.js';

/**
 * Fault injection for the crash tests: `STRATA_TEST_CRASH_AT=<point>` kills the process there
 * (SIGKILL: no cleanup runs, as in a power cut), proving every point leaves a consistent store.
 */
function crashPoint(point: string): void {
  if (process.env.STRATA_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}

/**
 * Temporary objects of this process not released yet. Should it exit early (the CLI exits on
 * SIGINT/SIGTERM), they are removed on the way out; a temporary name never becomes a valid
 * path, so this can only remove unfinished work.
 */
const unreleasedTempObjects = new Set<string>();
let exitCleanupInstalled = false;

function trackTempObject(path: string): void {
  if (!exitCleanupInstalled) {
    exitCleanupInstalled = true;
    process.on('exit', () => {
      for (const p of unreleasedTempObjects) {
        // Writes still queued on libuv's threads may add files while the tree goes (ENOTEMPTY);
        // once its top directory is gone they fail, so a few passes are enough.
        const exists = () => lstatSync(p, { throwIfNoEntry: false }) !== undefined;
        for (let pass = 0; pass < 50 && exists(); pass++) {
          try {
            deleteRealPath(p);
          } catch {
            // Tried again; whatever stays is garbage for the next collection, as after a crash.
          }
        }
      }
    });
  }
  unreleasedTempObjects.add(path);
}

/** A Nix-compatible store on the local file system. */
export class LocalStore extends BaseStore {
  readonly storeDir: string;
  readonly url: string;
  readonly capabilities: ReadonlySet<StoreCapability>;
  readonly locations: StoreLocations;
  readonly globals: LocalGlobals;
  /** Never written: `read-only=true`, or opened as another store's lower store. */
  readonly readOnly: boolean;
  /** What the gc/verify/optimise modules work on. */
  readonly context: LocalStoreContext;
  protected readonly config: StoreConfig;
  protected readonly openContext: StoreOpenContext;
  readonly #dir: StoreDir;
  #db: StoreDatabase | undefined;
  #dbWritable = false;
  #bigLock: HeldLock | undefined;
  #tempRoots: TempRootsFile | undefined;
  #closed = false;
  #emptyView: StoreDatabase | undefined;
  #tempHashPart: string | undefined;
  #tempCounter = 0;
  readonly #infoCache = new Map<string, PathInfo>();
  #derivationFiles: DerivationFiles | undefined;
  readonly #infoCacheSize: number;

  constructor(config: StoreConfig, context: StoreOpenContext) {
    super();
    this.config = config;
    this.openContext = context;
    this.locations = storeLocations(config);
    this.storeDir = this.locations.storeDir;
    this.#dir = new StoreDir(this.storeDir);
    this.url = config.renderReference();
    this.globals = readLocalGlobals(context.globals, context.env, process.geteuid?.() ?? 0);
    if (config.get<boolean>('read-only') === true) {
      requireExperimentalFeature(context.features, 'read-only-local-store');
    }
    this.readOnly = config.get<boolean>('read-only') === true || context.role === 'lower';
    this.#infoCacheSize = config.get<number>('path-info-cache-size');
    this.capabilities = new Set<StoreCapability>(
      this.readOnly
        ? ['local-fs', 'referrers', 'derivers', 'verify']
        : ['local-fs', 'write', 'signatures', 'referrers', 'derivers', 'gc', 'verify', 'optimise'],
    );
    this.context = {
      dir: this.#dir,
      locations: this.locations,
      globals: this.globals,
      readOnly: this.readOnly,
      database: (o) => this.database(o),
      addTempRoot: (p) => this.addTempRoot(p),
      repairFromSubstituters: (p) => this.repairFromSubstituters(p),
    };
  }

  // --- database ------------------------------------------------------------------------------

  /**
   * The database: opened on first use; for a store without one, an empty view unless
   * `writable`, which creates the layout and database first.
   */
  database(options: { writable?: boolean } = {}): StoreDatabase {
    if (this.#closed) throw new Error(`store '${this.url}' is closed`);
    if (options.writable) {
      if (this.readOnly) {
        throw strataError('STRATA_ERR_LOCAL_READ_ONLY', { store: this.url, op: 'write' });
      }
      if (this.#db !== undefined && this.#dbWritable) return this.#db;
      this.#db?.close();
      this.#db = undefined;
      createStoreLayout(this.locations, this.globals, { warn: (m) => this.openContext.warn(m) });
      this.#db = this.#openDatabase(true);
      return this.#db;
    }
    if (this.#db !== undefined) return this.#db;
    checkNoSymlinkedStore(this.locations.realStoreDir, this.globals);
    if (readSchemaVersion(this.locations.dbDir) === 0) {
      if (this.readOnly) {
        // `read-only=true` fails with master's message. A lower store (opened read-only for an
        // overlay) reads as empty until its database appears: the view is not kept as `#db`.
        if (this.config.get<boolean>('read-only') === true) return this.#openDatabase(false);
        this.#emptyView ??= emptyStoreDatabase(this.locations.dbDir, this.#dir);
        return this.#emptyView;
      }
      this.#db = emptyStoreDatabase(this.locations.dbDir, this.#dir);
      return this.#db;
    }
    const canWrite = this.#canWrite(this.locations.dbDir);
    // A lower store (not `read-only=true`) is read through a plain read-only connection where
    // possible, so what Nix adds to it while an overlay is open becomes visible.
    const explicitReadOnly = this.config.get<boolean>('read-only') === true;
    this.#db = this.#openDatabase(!this.readOnly && canWrite, explicitReadOnly || !canWrite);
    return this.#db;
  }

  /** Whether this process may write in `dir` (checked without creating anything). */
  #canWrite(dir: string): boolean {
    try {
      accessSync(dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  #openDatabase(writable: boolean, immutable = true): StoreDatabase {
    if (writable) this.#takeBigLock();
    const db = openStoreDatabase({
      dbDir: this.locations.dbDir,
      storeDir: this.#dir,
      realStoreDir: this.locations.realStoreDir,
      create: writable,
      readOnly: !writable,
      immutable,
      fsyncMetadata: this.globals.fsyncMetadata,
      useSqliteWal: this.globals.useSqliteWal,
      requireCaDerivations: () =>
        requireExperimentalFeature(this.openContext.features, 'ca-derivations'),
    });
    this.#dbWritable = writable;
    return db;
  }

  /** The big lock, shared, for as long as the store is open (spec §5.4). */
  #takeBigLock(): void {
    if (this.#bigLock !== undefined) return;
    const path = join(this.locations.dbDir, 'big-lock');
    const fd = openLockFile(path);
    if (!flock(fd, 'shared')) {
      this.openContext.warn('waiting for the big Nix store lock...');
      flock(fd, 'shared', { wait: true });
    }
    this.#bigLock = {
      path,
      fd,
      release: () => closeSync(fd),
    };
  }

  /** Fails when the store may not be written. */
  protected checkWritable(op: string): void {
    if (this.readOnly) throw strataError('STRATA_ERR_LOCAL_READ_ONLY', { store: this.url, op });
  }

  /** `path` checked and printed canonically (Nix's messages for malformed paths). */
  protected parse(path: string): string {
    return this.#dir.print(this.#dir.parsePath(path));
  }

  /** Where a store path is on disk. */
  realPath(storePath: string): string {
    return realPath(this.locations, storePath);
  }

  // --- queries -------------------------------------------------------------------------------

  override async isValidPath(path: string): Promise<boolean> {
    return this.database().queries.isValidPath(this.parse(path));
  }

  override async queryValidPaths(paths: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const p of paths) if (await this.isValidPath(p)) out.push(p);
    return out;
  }

  /**
   * Path infos are cached (`path-info-cache-size` entries, oldest out first, as Nix's LRU), so
   * a closure followed by a topological sort reads each row once. Every write through this
   * store drops the cache (see {@link invalidatePathInfoCache}).
   */
  override async queryPathInfo(path: string): Promise<PathInfo> {
    // Keys are canonical store paths, so a hit on `path` as given needs no parsing.
    const hit = this.#infoCache.get(path);
    if (hit !== undefined) return hit;
    const p = this.parse(path);
    const info = this.database().queries.queryPathInfo(p);
    if (this.#infoCacheSize > 0) {
      if (this.#infoCache.size >= this.#infoCacheSize) {
        this.#infoCache.delete(this.#infoCache.keys().next().value as string);
      }
      this.#infoCache.set(p, info);
    }
    return info;
  }

  /** Forgets cached path infos (after anything that may change rows). */
  protected invalidatePathInfoCache(): void {
    this.#infoCache.clear();
  }

  override async queryReferrers(path: string): Promise<string[]> {
    return this.database().queries.queryReferrers(this.parse(path));
  }

  override async queryValidDerivers(path: string): Promise<string[]> {
    return this.database().queries.queryValidDerivers(this.parse(path));
  }

  /**
   * The known outputs of a valid derivation, sorted. With `ca-derivations` enabled, also the
   * outputs realised for it (the `Realisations` table, keyed by the derivation's static
   * output hashes), as Nix's `queryPartialDerivationOutputMap`.
   */
  override async queryDerivationOutputs(drvPath: string): Promise<string[]> {
    const p = this.parse(drvPath);
    const queries = this.database().queries;
    if (!isFeatureEnabled(this.openContext.features, 'ca-derivations')) {
      return queries.queryDerivationOutputs(p);
    }
    const outputs = queries.queryDerivationOutputMap(p);
    this.#derivationFiles ??= new DerivationFiles(this.locations.realStoreDir, this.#dir, () => {});
    const files = this.#derivationFiles;
    for (const [name, hash] of files.outputHashes(files.read(p))) {
      const realised = queries.realisedOutput(`sha256:${hash.toBase16()}`, name);
      if (realised !== undefined) outputs.set(name, realised);
    }
    return [...new Set(outputs.values())].sort(compareBytewise);
  }

  override async queryPathFromHashPart(hashPart: string): Promise<string | undefined> {
    return this.database().queries.queryPathFromHashPart(hashPart);
  }

  override async queryAllValidPaths(): Promise<string[]> {
    return this.database().queries.queryAllValidPaths();
  }

  /** `Store.queryClosureGraph`: one recursive query on the database (no path infos decoded). */
  async queryClosureGraph(
    paths: readonly string[],
    options: { readonly direction?: 'references' | 'referrers' } = {},
  ): Promise<Map<string, string[]>> {
    return this.database().queries.closureGraph(
      paths.map((p) => this.parse(p)),
      options.direction ?? 'references',
    );
  }

  /** Where this store's parts are and what is wrong with its setup (`strata doctor`). */
  async diagnose(): Promise<StoreDiagnosis> {
    return diagnoseLocalStore({
      // As given (with its root), so the fixes it prints can be pasted.
      url: renderStoreReference(this.config.reference),
      kind: this.config.implementation.name,
      locations: this.locations,
      globals: this.globals,
      readOnly: this.readOnly,
    });
  }

  override async getInfo(): Promise<StoreInfo> {
    return { url: this.url, storeDir: this.storeDir };
  }

  // --- adding --------------------------------------------------------------------------------

  /**
   * A fresh temporary location inside the real store dir for an object being written. Its name
   * has the form of a store path whose hash part is random per store instance and registered
   * as a temporary root once: every collector, Nix 2.8's included (which deletes anything else
   * that is not a valid path, `add-*` dirs of running processes too), leaves these alone until
   * this process is gone, and then removes leftovers as garbage.
   */
  async #tempObject(): Promise<{ path: string; release(): void }> {
    if (this.#tempHashPart === undefined) {
      const hashPart = new Hash('sha1', randomBytes(20)).toString('base32', false);
      await this.addTempRoot(`${this.storeDir}/${hashPart}-strata-tmp`);
      this.#tempHashPart = hashPart;
    }
    const path = this.realPath(
      `${this.storeDir}/${this.#tempHashPart}-strata-tmp-${process.pid}-${this.#tempCounter++}`,
    );
    trackTempObject(path);
    return {
      path,
      release: () => {
        unreleasedTempObjects.delete(path);
        deleteRealPath(path);
      },
    };
  }

  /**
   * Moves a complete object from `tmpObject` to the real location of `info.path` and registers
   * it; the caller holds the path's lock. Nothing happens when the path became valid meanwhile
   * (another process, Nix or Strata, added it first), unless repairing.
   */
  async #commit(info: PathInfo, tmpObject: string, repair: boolean): Promise<void> {
    const real = this.realPath(info.path);
    if (!repair && (await this.isValidPath(info.path))) return;
    crashPoint('before-rename');
    deleteRealPath(real);
    try {
      renameSync(tmpObject, real);
    } catch (e) {
      throw ioError('renaming', tmpObject, e);
    }
    if (this.globals.autoOptimiseStore) {
      // Before registering, as Nix does: a path is never valid with half-linked files.
      await optimisePath(this.context, info.path, newOptimiseStats(), {});
    }
    crashPoint('before-register');
    try {
      await this.registerInfos([info]);
    } catch (e) {
      // Refused (a forged .drv, a database error): no object without its registration. A
      // repair keeps the new copy: the path stays valid, and its old files are gone anyway.
      if (!repair) deleteRealPath(real);
      throw e;
    }
    crashPoint('after-register');
  }

  /** Fails unless every reference of `path` (other than itself) is valid, before any work. */
  protected async checkReferences(path: string, references: readonly string[]): Promise<void> {
    for (const r of references) {
      if (r !== path && !(await this.isValidPath(r))) {
        throw strataError('STRATA_ERR_STORE_REFERENCE_NOT_VALID', { path, reference: r });
      }
    }
  }

  /** Registers infos in one transaction (the overlay store merges lower information first). */
  protected async registerInfos(infos: readonly PathInfo[]): Promise<void> {
    this.invalidatePathInfoCache();
    this.database({ writable: true }).writer().registerValidPaths(infos);
  }

  /**
   * Called when an add finds its path already valid. The overlay store records the lower
   * store's metadata in its own database here.
   */
  protected async onAlreadyValid(_path: string): Promise<void> {}

  /**
   * Throws the name error a path of `name` gets, with the hash part the contents at `from`
   * would have (Nix's message); returns when they cannot be hashed (the caller's error is
   * then the one to report).
   */
  async #failWithRealPathName(
    from: string,
    name: string,
    method: 'flat' | 'recursive',
    algorithm: HashAlgorithm,
  ): Promise<void> {
    let hash: Hash;
    try {
      hash =
        method === 'flat'
          ? await hashFile(algorithm, from)
          : (await narHashOfPath(from, algorithm)).hash;
    } catch {
      return;
    }
    // Throws the name's error, the base name now carrying the real hash part.
    makeFixedOutputPath(name, { method, hash }, [], false, this.#dir);
  }

  override async addToStore(source: string, options: AddToStoreOptions = {}): Promise<PathInfo> {
    this.checkWritable('add to the store');
    const given = resolve(source);
    const method = options.method ?? 'recursive';
    const algorithm = options.hashAlgorithm ?? 'sha256';
    const name = options.name ?? basename(given);
    let st: ReturnType<typeof lstatSync>;
    let from = given;
    try {
      st = lstatSync(given);
      // A flat object is a file's contents: a symlink is read through, as `nix store
      // add-file` reads it.
      if (method === 'flat' && st.isSymbolicLink()) {
        from = realpathSync(given);
        st = lstatSync(from);
      }
    } catch (e) {
      throw ioError('getting status of', given, e);
    }
    if (method === 'flat' && !st.isFile()) {
      throw strataError('STRATA_ERR_IO_FAILED', {
        op: 'reading file',
        path: from,
        reason: st.isDirectory() ? 'Is a directory' : 'not a regular file',
      });
    }
    // Check the name before any work. A bad one fails as in Nix, whose message names the path
    // with its real hash part: the contents are hashed for that (nothing is written).
    try {
      this.#dir.parsePath(`${this.storeDir}/${'0'.repeat(32)}-${name}`);
    } catch (e) {
      await this.#failWithRealPathName(from, name, method, algorithm);
      throw e;
    }
    const big = st.isFile() && st.size >= OFFLOAD_AFTER;
    // A file of some size needing only the NAR hash is copied and hashed natively.
    const native =
      st.isFile() &&
      st.size >= NATIVE_COPY_AFTER &&
      method === 'recursive' &&
      algorithm === 'sha256' &&
      options.referenceCandidates === undefined;
    // Other big files: the hashing worker starts now, while the database opens.
    const worker = big && !native ? new WorkerHasher('sha256') : undefined;
    let tmp: { path: string; release(): void };
    try {
      // The layout and database first: a store that cannot be written fails before any work.
      this.database({ writable: true });
      tmp = await this.#tempObject();
    } catch (e) {
      await worker?.abort();
      throw e;
    }
    try {
      const object = tmp.path;
      const sink = new ObjectSink(object, {
        ...(method === 'flat' ? { flatAlgorithm: algorithm } : { narAlgorithm: algorithm }),
        ...(options.referenceCandidates ? { candidates: options.referenceCandidates } : {}),
        externalNarHash: true,
        parallelFiles: st.isDirectory(),
      });
      let result: ObjectSinkResult;
      try {
        const single = native ? await addSingleFile(from, object) : null;
        if (single !== null) {
          options.activity?.progress?.(st.size, st.size);
          result = { ...single, references: new Set() };
        } else {
          const nar = await pumpSource(from, sink, {
            ...(options.activity?.progress ? { progress: options.activity.progress } : {}),
            total: st.isFile() ? st.size : 0,
            offload: !st.isDirectory(),
            ...(worker ? { worker } : {}),
          });
          await sink.settle();
          result = sink.end(nar);
        }
        crashPoint('after-write');
      } catch (e) {
        await sink.stop();
        throw e;
      }
      const caHash: Hash =
        method === 'flat'
          ? result.flatHash!
          : algorithm === 'sha256'
            ? result.narHash
            : result.narHashOther!;
      const references = [...new Set([...(options.references ?? []), ...result.references])];
      const path = this.#dir.print(
        makeFixedOutputPath(
          name,
          { method, hash: caHash },
          references.map((r) => this.#dir.parsePath(r)),
          false,
          this.#dir,
        ),
      );
      const info = makePathInfo({
        path,
        narHash: result.narHash,
        narSize: result.narSize,
        references,
        ca: { method, hash: caHash },
      });
      await this.checkReferences(path, references);
      await this.addTempRoot(path);
      const locks = await lockPaths([path], (p) => this.realPath(p));
      try {
        if (!options.repair && (await this.isValidPath(path))) {
          await this.onAlreadyValid(path);
          return this.queryPathInfo(path);
        }
        await this.#commit(info, object, options.repair === true);
      } finally {
        locks.release();
      }
      return this.queryPathInfo(path);
    } finally {
      tmp.release();
      await worker?.abort();
    }
  }

  override async addTextToStore(
    name: string,
    text: string | Uint8Array,
    references: readonly string[] = [],
  ): Promise<string> {
    this.checkWritable('add to the store');
    return super.addTextToStore(name, text, references);
  }

  override async addNar(
    info: PathInfo,
    nar: ByteStream,
    options: AddNarOptions = {},
  ): Promise<void> {
    this.checkWritable('add to the store');
    const importable = this.#importable(info, this.#signatureChecker(options));
    const importer = this.#narImporter(options, false);
    try {
      await importer.add(importable, nar);
    } finally {
      await importer.finish();
    }
  }

  /**
   * `Store.addNars`: as `addNar` for each item, with the objects written under their locks and
   * registered in batches (see `NarImporter`): one transaction per batch instead of per path.
   */
  async *addNars(
    items: AsyncIterable<{ readonly info: PathInfo; nar(): ByteStream }>,
    options: AddNarOptions = {},
  ): AsyncGenerator<string> {
    this.checkWritable('add to the store');
    const checkSignature = this.#signatureChecker(options);
    let importer: NarImporter | undefined;
    try {
      for await (const item of items) {
        const importable = this.#importable(item.info, checkSignature);
        importer ??= this.#narImporter(options, true);
        await importer.add(importable, item.nar());
        yield* importer.takeValid();
      }
      await importer?.flush();
      yield* importer?.takeValid() ?? [];
    } catch (e) {
      // The objects before the failing one become valid, as with one `addNar` each.
      await importer?.flush().catch(() => {});
      yield* importer?.takeValid() ?? [];
      throw e;
    } finally {
      // A caller that stopped early: what is complete becomes valid.
      await importer?.finish();
    }
  }

  /** What `#importable` checks signatures with (Nix's `checkSigs`), or undefined. */
  #signatureChecker(options: AddNarOptions): ((info: PathInfo) => boolean) | undefined {
    const checkSigs = options.checkSigs ?? this.config.get<boolean>('require-sigs');
    if (!checkSigs) return undefined;
    const trusted = trustedKeySet(this.globals.trustedPublicKeys);
    return (info) => info.ultimate || countValidSignatures(info, trusted, this.#dir) > 0;
  }

  /** `info` with its path canonical; fails when it lacks a required signature. */
  #importable(info: PathInfo, checkSignature: ((info: PathInfo) => boolean) | undefined): PathInfo {
    const path = this.parse(info.path);
    if (checkSignature !== undefined && !checkSignature(info)) {
      throw strataError('STRATA_ERR_STORE_LACKS_SIGNATURE', { path });
    }
    return path === info.path ? info : { ...info, path };
  }

  /** An importer writing into this store (its layout and database created first). */
  #narImporter(options: AddNarOptions, many: boolean): NarImporter {
    this.database({ writable: true });
    return new NarImporter(
      {
        realPath: (p) => this.realPath(p),
        checkReferences: (p, refs) => this.checkReferences(p, refs),
        checkInfo: (i) => this.database({ writable: true }).writer().check(i),
        isValidPath: (p) => this.isValidPath(p),
        addTempRoot: (p) => this.addTempRoot(p),
        onAlreadyValid: (p) => this.onAlreadyValid(p),
        finishObject: async (p) => {
          // Before registering, as Nix does: a path is never valid with half-linked files.
          if (this.globals.autoOptimiseStore) {
            await optimisePath(this.context, p, newOptimiseStats(), {});
          }
        },
        register: (infos) => this.registerInfos(infos),
        // Read once: the environment is slow to query per path.
        crashPoint: process.env.STRATA_TEST_CRASH_AT === undefined ? () => {} : crashPoint,
      },
      { repair: options.repair === true, deferLockDeletion: many },
    );
  }

  override async *narFromPath(path: string): ByteStream {
    const p = this.parse(path);
    await this.queryPathInfo(p); // `path '…' is not valid`
    yield* dumpPath(this.realPath(p));
  }

  override async addSignatures(path: string, sigs: readonly string[]): Promise<void> {
    this.checkWritable('add signatures');
    this.invalidatePathInfoCache();
    const p = this.parse(path);
    this.database({ writable: true }).writer().addSignatures(p, sigs);
  }

  // --- garbage collection, verify, optimise --------------------------------------------------

  /** How the collector deletes; the overlay store deletes upper-layer copies only. */
  protected gcHooks(): GcHooks {
    return {};
  }

  /** What verify checks; the overlay store skips lower-only paths. */
  protected verifyHooks(): VerifyHooks {
    return {};
  }

  override async collectGarbage(options: GcOptions): Promise<GcResult> {
    this.checkWritable(options.action === 'delete-specific' ? 'delete paths' : 'collect garbage');
    this.invalidatePathInfoCache();
    try {
      return await collectGarbage(this.context, options, this.gcHooks());
    } finally {
      this.invalidatePathInfoCache();
    }
  }

  override async deleteStorePaths(
    paths: readonly string[],
    options: StoreActivity = {},
  ): Promise<GcResult> {
    return this.collectGarbage({
      ...options,
      action: 'delete-specific',
      paths: paths.map((p) => this.parse(p)),
    });
  }

  override async findRoots(
    options: StoreActivity & { censor?: boolean } = {},
  ): Promise<Map<string, string[]>> {
    return findRoots(this.context, {
      ...(options.censor === undefined ? {} : { censor: options.censor }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  }

  override async addPermRoot(path: string, gcRoot: string): Promise<string> {
    this.checkWritable('add a garbage collector root');
    return addPermRoot(this.context, this.parse(path), gcRoot);
  }

  override async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    try {
      return await verifyStore(this.context, options, this.verifyHooks());
    } finally {
      this.invalidatePathInfoCache(); // verify fixes sizes and hashes, and drops vanished paths
    }
  }

  /** `nix-store --verify-path`: the contents of `paths` against their recorded hashes. */
  async verifyPaths(paths: readonly string[], activity: StoreActivity = {}): Promise<VerifyResult> {
    return verifyPaths(
      this.context,
      paths.map((p) => this.parse(p)),
      activity,
    );
  }

  override async optimise(activity: StoreActivity = {}): Promise<OptimiseResult> {
    this.checkWritable('optimise the store');
    return optimiseStore(this.context, activity);
  }

  // --- temporary roots -----------------------------------------------------------------------

  override async addTempRoot(path: string): Promise<void> {
    if (this.readOnly) return;
    const p = this.parse(path);
    this.database({ writable: true });
    this.#tempRoots ??= new TempRootsFile(this.locations);
    await this.#tempRoots.add(p);
  }

  // --- repair --------------------------------------------------------------------------------

  /** Replaces `path` with a copy from the first substituter that has it (verify --repair). */
  async repairFromSubstituters(path: string): Promise<boolean> {
    for (const url of this.globals.substituters) {
      let sub: Awaited<ReturnType<StoreOpenContext['openStore']>>;
      try {
        sub = await this.openContext.openStore(url);
      } catch {
        continue; // a substituter Strata cannot open (no plugin for its scheme) cannot help
      }
      if (!(await sub.isValidPath(path))) continue;
      const info = await sub.queryPathInfo(path);
      await this.addNar(info, sub.narFromPath(path), { repair: true });
      return true;
    }
    return false;
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#tempRoots?.close();
    this.#tempRoots = undefined;
    this.#db?.close();
    this.#db = undefined;
    this.#emptyView?.close();
    this.#bigLock?.release();
    this.#bigLock = undefined;
  }
}
