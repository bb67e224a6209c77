/**
 * The `local-overlay` store (spec/local-overlay.md §1–§4): a local store whose store directory
 * is an OverlayFS mount over a lower store's directory, with its own SQLite database (the
 * upper DB) for what it adds. Everything not stated here is the local store's behaviour.
 *
 * THE LOWER STORE IS NEVER WRITTEN. It is opened as a lower store (its database read-only, no
 * locks, no temporary roots), only queried, and nothing is ever deleted through the merged
 * directory that the lower store has: such deletions happen in the upper layer directly,
 * followed by the remount hook (§4.10–§4.11). A store opened as another store's lower store
 * is read-only itself, so a stack of overlays is written only at the top.
 *
 * - Queries fall through: the upper DB first, then the lower store (§4.1); referrers and
 *   derivers are the union of both (§4.4, §4.5); the collector's referrers are the upper DB's.
 * - A lower path that is checked for validity, or becomes part of the upper world by an add or
 *   a registration, gets its metadata and its whole closure's copied into the upper DB
 *   ("copy-up", §4.3), so every upper closure is self-contained (invariant I1). Whether a path
 *   is already in the upper DB is always asked of the DB itself, never of a cache.
 * - Adding a path that is valid in the lower store writes no files (§4.6).
 * - GC, delete and optimise touch only the upper layer (§4.10, §4.12); verify checks only the
 *   upper DB's paths (§4.13).
 *
 * @example
 *   const store = await registry.openStore(
 *     'local-overlay://?root=/srv/merged&lower-store=/srv/base&upper-layer=/srv/upper',
 *     { features: ['local-overlay-store'] });
 *   await store.addToStore('./tool');   // lands in /srv/upper
 */
import { existsSync, lstatSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compareBytewise, type PathInfo } from '@strata/core/path-info';
import type { StoreConfig, StoreOpenContext } from '@strata/core/registry';
import {
  type ClosureDirection,
  type ClosureEdges,
  type ClosureGraphOptions,
  computeClosureGraph,
  type GcOptions,
  type GcResult,
  type OptimiseResult,
  type Store,
  type StoreActivity,
  type StoreDiagnosis,
} from '@strata/core/store';
import {
  checkStoreMount,
  flattenStoreLayers,
  overlayLayers,
  readMountInfo,
  type StoreLevel,
} from '@strata/overlay';
import { type GcHooks, LocalStore, recordPartialGcResult } from '@strata/plugin-local';
import { overlayReferencesClosure, overlayReferrersClosure } from './closure-graph.js';
import { checkOverlayStoreMount } from './mount-check.js';
import { runRemountHook } from './remount-hook.js';
import { deleteFromOverlay } from './upper-layer.js';

/** A local store over an OverlayFS mount; see the module comment. */
export class LocalOverlayStore extends LocalStore {
  /** The store below (never written). */
  readonly lower: Store;
  /** The mount's `upperdir`. */
  readonly upperLayer: string;
  readonly remountHook: string | undefined;
  /** The chain below this store, as the mount sees it. */
  readonly below: StoreLevel;
  #remountRequired = false;
  /** Nesting of operations that end with a remount, so the hook runs once per operation. */
  #operations = 0;
  /**
   * Path infos as this store answers them (upper row, else the lower store's), at most
   * `path-info-cache-size`, oldest out first; dropped with the local store's cache on every
   * write. A lower-only path would otherwise miss the upper DB on every lookup.
   */
  readonly #infoCache = new Map<string, PathInfo>();
  readonly #infoCacheSize: number;

  constructor(config: StoreConfig, context: StoreOpenContext, lower: Store, below: StoreLevel) {
    super(config, context);
    this.lower = lower;
    this.below = below;
    this.upperLayer = config.get<string>('upper-layer');
    const hook = config.get<string | undefined>('remount-hook');
    this.remountHook = hook === '' ? undefined : hook;
    this.#infoCacheSize = config.get<number>('path-info-cache-size');
  }

  /**
   * `strata doctor`: the local store's checks on the upper store, the mount check with
   * expected vs actual and the command that mounts it right, whether the lower store changed
   * since the overlay was mounted (§6.8), and each lower layer's own diagnosis.
   */
  override async diagnose(): Promise<StoreDiagnosis> {
    const base = await super.diagnose();
    const facts = [...base.facts];
    const problems = [...base.problems];
    const real = this.locations.realStoreDir;
    // A store URL may not show where the store is (`local` for any root): its directory does.
    facts.push(
      ['upper layer', this.upperLayer],
      ['lower store', `${this.lower.url} (objects in ${this.below.real})`],
    );
    const mounts = readMountInfo();
    const result = checkStoreMount(mounts, {
      real,
      upperLayer: this.upperLayer,
      lower: this.below,
    });
    if (result.ok) {
      facts.push([
        'mount',
        `overlay, ${result.layout} layout, lowerdir ${overlayLayers(result.entry.superOptions).lowerdir.join(':')}`,
      ]);
    } else if (result.entry === undefined && !this.config.get<boolean>('check-mount')) {
      // Unmounted on purpose: a level frozen under a flat mount (spec §7.3), or mounted by hand
      // when needed. Only a wrong mount would be a problem.
      facts.push(['mount', 'none (check-mount=false)']);
    } else {
      try {
        checkOverlayStoreMount({ real, upperLayer: this.upperLayer, lower: this.below }, mounts);
      } catch (e) {
        const err = e as { message: string; hint?: string };
        problems.push({
          message: err.message,
          ...(err.hint === undefined ? {} : { fix: err.hint }),
        });
      }
    }
    const changed = lowerChangedSinceMount(this.below, result.ok ? result.entry.superOptions : []);
    if (changed !== undefined) {
      problems.push({
        message: `the lower store changed after the overlay was mounted (${changed}); OverlayFS may show stale or missing files`,
        fix: `strata overlay remount, or: mount -o remount '${real}'`,
      });
    }
    const lower = this.lower.diagnose ? [await this.lower.diagnose()] : [];
    return { ...base, facts, problems, layers: lower };
  }

  /** True when the upper DB itself has a row for `path` (never a cache). */
  #inUpper(path: string): boolean {
    return this.database().queries.isValidPath(path);
  }

  /**
   * Copies the lower metadata of `paths` and of their closures into the upper DB (§4.3):
   * references first, in ascending order of their names, each path once, in one transaction.
   * Paths already in the upper DB (and what they refer to) are left alone.
   */
  async #copyUp(paths: readonly string[]): Promise<void> {
    if (this.readOnly || paths.length === 0) return;
    const queries = this.database({ writable: true }).queries;
    const order: PathInfo[] = [];
    const seen = new Set<string>();
    const visit = async (path: string): Promise<void> => {
      if (seen.has(path) || queries.isValidPath(path)) return;
      seen.add(path);
      const info = await this.lower.queryPathInfo(path);
      for (const r of [...info.references].sort(compareBytewise)) {
        if (r !== path) await visit(r);
      }
      order.push(info);
    };
    for (const p of paths) await visit(p);
    if (order.length > 0) await super.registerInfos(order);
  }

  // --- queries -------------------------------------------------------------------------------

  override async isValidPath(path: string): Promise<boolean> {
    const p = this.parse(path);
    if (this.#inUpper(p)) return true;
    if (!(await this.lower.isValidPath(p))) return false;
    await this.#copyUp([p]);
    return true;
  }

  override async queryValidPaths(paths: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const p of paths) if (await this.isValidPath(p)) out.push(p);
    return out;
  }

  override async queryPathInfo(path: string): Promise<PathInfo> {
    const p = this.parse(path);
    const hit = this.#infoCache.get(p);
    if (hit !== undefined) return hit;
    const info = this.database().queries.lookupPathInfo(p) ?? (await this.lower.queryPathInfo(p));
    if (this.#infoCacheSize > 0) {
      if (this.#infoCache.size >= this.#infoCacheSize) {
        this.#infoCache.delete(this.#infoCache.keys().next().value as string);
      }
      this.#infoCache.set(p, info);
    }
    return info;
  }

  protected override invalidatePathInfoCache(): void {
    super.invalidatePathInfoCache();
    this.#infoCache.clear();
  }

  /**
   * `Store.queryClosureGraph` over both layers (see `closure-graph.ts`): the upper DB's
   * recursive query and the lower store's own closure query, joined; never copies up.
   */
  override async queryClosureGraph(
    paths: readonly string[],
    options: ClosureGraphOptions = {},
  ): Promise<ClosureEdges> {
    const starts = paths.map((p) => this.parse(p));
    const queries = this.database().queries;
    const upper = {
      graph: async (ps: readonly string[], direction: ClosureDirection) =>
        queries.closureGraph(ps, direction),
      validAmong: (ps: readonly string[]) => queries.validPathsAmong(ps),
    };
    const lower = {
      graph: async (ps: readonly string[], direction: ClosureDirection) =>
        (await computeClosureGraph(this.lower, ps, { direction })).edges,
    };
    return options.direction === 'referrers'
      ? overlayReferrersClosure(starts, upper, lower)
      : overlayReferencesClosure(starts, upper, lower);
  }

  override async queryReferrers(path: string): Promise<string[]> {
    const p = this.parse(path);
    const upper = this.database().queries.queryReferrers(p);
    const lower = await this.lower.queryReferrers(p);
    return [...new Set([...upper, ...lower])].sort(compareBytewise);
  }

  override async queryValidDerivers(path: string): Promise<string[]> {
    const p = this.parse(path);
    const upper = this.database().queries.queryValidDerivers(p);
    const lower = await this.lower.queryValidDerivers(p);
    return [...new Set([...upper, ...lower])].sort(compareBytewise);
  }

  override async queryDerivationOutputs(drvPath: string): Promise<string[]> {
    const p = this.parse(drvPath);
    if (this.#inUpper(p)) return super.queryDerivationOutputs(p);
    return this.lower.queryDerivationOutputs(p);
  }

  override async queryPathFromHashPart(hashPart: string): Promise<string | undefined> {
    return (
      (await super.queryPathFromHashPart(hashPart)) ??
      (await this.lower.queryPathFromHashPart(hashPart))
    );
  }

  // --- writing -------------------------------------------------------------------------------

  /**
   * §4.7 plus §4.6: first the lower rows of the paths being registered that only the lower
   * store has, and of every reference valid only there (with their closures); then the
   * caller's infos, which update those rows (keeping the lower deriver and registration time).
   */
  protected override async registerInfos(infos: readonly PathInfo[]): Promise<void> {
    const queries = this.database({ writable: true }).queries;
    const batch = new Set(infos.map((i) => i.path));
    const missing = new Set<string>();
    for (const info of infos) {
      if (!queries.isValidPath(info.path)) missing.add(info.path);
      for (const r of info.references) {
        if (!batch.has(r) && !queries.isValidPath(r)) missing.add(r);
      }
    }
    const inLower = missing.size === 0 ? [] : await this.lower.queryValidPaths([...missing]);
    await this.#copyUp(inLower);
    await super.registerInfos(infos);
  }

  protected override async onAlreadyValid(path: string): Promise<void> {
    // The validity check that found it copied it up; a path that was in the upper DB already
    // needs nothing.
    await this.isValidPath(path);
  }

  override async addSignatures(path: string, sigs: readonly string[]): Promise<void> {
    this.checkWritable('add signatures');
    await this.isValidPath(path);
    await super.addSignatures(path, sigs);
  }

  // --- deletion, GC, optimise ----------------------------------------------------------------

  /** Whether the lower store (or a lower layer) has an entry of this name. */
  async #existsBelow(name: string): Promise<boolean> {
    const storePath = `${this.storeDir}/${name}`;
    if (this.context.dir.isStorePath(storePath) && (await this.lower.isValidPath(storePath))) {
      return true;
    }
    return flattenStoreLayers(this.below).some((layer) => existsSync(join(layer, name)));
  }

  /** Deletes one entry of the merged directory without hiding anything below (§4.10). */
  async #deleteEntry(name: string): Promise<bigint> {
    const r = await deleteFromOverlay({
      name,
      mergedPath: join(this.locations.realStoreDir, name),
      upperLayer: this.upperLayer,
      existsBelow: (n) => this.#existsBelow(n),
    });
    if (r.remountRequired) this.#remountRequired = true;
    return r.bytesFreed;
  }

  /** The collector's substitutions for the overlay store (§4.10). */
  protected override gcHooks(): GcHooks {
    return {
      deleteObject: async (storePath) => {
        const name = storePath.slice(this.storeDir.length + 1);
        // Most dead entries of a whole-store walk are lower-only: nothing to do, and a
        // non-throwing lstat says so far cheaper than deleteFromOverlay's ENOENT error.
        let inUpper = true;
        try {
          inUpper = lstatSync(join(this.upperLayer, name), { throwIfNoEntry: false }) !== undefined;
        } catch {
          // Let deleteFromOverlay report it in its words.
        }
        return inUpper ? this.#deleteEntry(name) : 0n;
      },
      // Only the upper layer's own links: a lower link unlinked through the merged dir would
      // become a whiteout (§4.10).
      linksStoreDir: this.upperLayer,
    };
  }

  /** §4.11: runs the remount hook (or warns) when a deletion in the upper layer needs it. */
  async #remountIfNecessary(activity: StoreActivity | undefined): Promise<void> {
    if (!this.#remountRequired) return;
    const real = this.locations.realStoreDir;
    if (this.remountHook !== undefined) {
      await runRemountHook(this.remountHook, real); // on failure the flag stays set
    } else {
      const message = `"${real}" needs remounting, set remount-hook to do this automatically`;
      if (activity?.log) activity.log(`warning: ${message}`);
      else this.openContext.warn(message);
    }
    this.#remountRequired = false;
  }

  /** Runs `op`, then the remount step once, also when `op` failed after deleting something. */
  async #withRemount<T>(activity: StoreActivity | undefined, op: () => Promise<T>): Promise<T> {
    this.#operations++;
    let result: T;
    try {
      result = await op();
    } catch (e) {
      if (--this.#operations === 0) {
        await this.#remountIfNecessary(activity).catch(() => {}); // the first error wins
      }
      throw e;
    }
    if (--this.#operations === 0) await this.#remountIfNecessary(activity);
    return result;
  }

  override async collectGarbage(options: GcOptions): Promise<GcResult> {
    return this.#collectWithRemount(options, () => super.collectGarbage(options));
  }

  override async deleteStorePaths(
    paths: readonly string[],
    options?: StoreActivity,
  ): Promise<GcResult> {
    return this.#collectWithRemount(options, () => super.deleteStorePaths(paths, options));
  }

  /** A collection, then the remount; a failing hook still reports what was deleted. */
  async #collectWithRemount(
    activity: StoreActivity | undefined,
    collect: () => Promise<GcResult>,
  ): Promise<GcResult> {
    let done: GcResult | undefined;
    try {
      return await this.#withRemount(activity, async () => {
        done = await collect();
        return done;
      });
    } catch (e) {
      if (done !== undefined) recordPartialGcResult(e, done);
      throw e;
    }
  }

  /**
   * De-duplication against the lower store instead of hard links (§4.12): the upper copy of
   * every upper-DB path that the lower store also has is removed from the upper layer; the
   * rows stay (the paths remain valid through the lower store).
   */
  override async optimise(options: StoreActivity = {}): Promise<OptimiseResult> {
    this.checkWritable('optimise the store');
    return this.#withRemount(options, async () => {
      const paths = await this.queryAllValidPaths();
      let bytesFreed = 0n;
      let done = 0;
      for (const p of paths) {
        options.progress?.(done++, paths.length);
        if (await this.lower.isValidPath(p)) {
          bytesFreed += await this.#deleteEntry(p.slice(this.storeDir.length + 1));
        }
      }
      options.progress?.(done, paths.length);
      return { filesLinked: 0, bytesFreed };
    });
  }
}

/**
 * Whether the lower store's database was written after the overlay mount was made: the mount
 * creates `<workdir>/work`, so its time is the mount's; a later `db.sqlite` in the
 * base store's state dir means Nix or Strata added to the lower store under a live mount.
 */
function lowerChangedSinceMount(
  below: StoreLevel,
  superOptions: readonly string[],
): string | undefined {
  const workdir = overlayLayers(superOptions).workdir;
  if (workdir === undefined) return undefined;
  let mountedAt: number;
  try {
    mountedAt = statSync(join(workdir, 'work')).ctimeMs;
  } catch {
    return undefined;
  }
  let base: StoreLevel = below;
  while (base.kind === 'overlay') base = base.lower;
  // The usual layout (`<root>/nix/store` beside `<root>/nix/var/nix`); others are not checked.
  const dbDir = join(dirname(base.real), 'var/nix/db');
  // Only the database itself: readers create the -wal file, and Nix 2.8 checkpoints into
  // db.sqlite when it closes, so a write by Nix shows here.
  const db = join(dbDir, 'db.sqlite');
  try {
    if (statSync(db).mtimeMs > mountedAt + 1000) return `'${db}' modified after the mount`;
  } catch {}
  return undefined;
}
