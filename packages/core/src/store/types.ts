/**
 * The `Store` interface every plugin implements (DESIGN.md "The Store interface"): Nix's store
 * API, async throughout, with NARs moving as streams of `Uint8Array`. Paths are full store
 * paths (`/nix/store/<hash>-<name>`) as Nix's CLI prints them.
 *
 * A store that lacks an operation throws `STRATA_ERR_STORE_UNSUPPORTED` naming itself and the
 * operation (see `unsupported()`), and says which operations it has through `capabilities`, so
 * callers and the conformance kit can tell "cannot" from "failed".
 */

import type { HashAlgorithm } from '../hash/algorithm.js';
import type { PathInfo } from '../path-info/path-info.js';

/** A stream of NAR (or any) bytes. */
export type ByteStream = AsyncIterable<Uint8Array>;

/**
 * What a store can do. Plugins may add their own names; these are the ones core knows:
 * - `local-fs`: its store directory is on the local file system (`real` setting), as an
 *   OverlayFS lower layer needs;
 * - `write`: `addToStore`, `addTextToStore`, `addNar`;
 * - `signatures`: `addSignatures`;
 * - `referrers`, `derivers`: the reverse queries;
 * - `gc`: `collectGarbage`, `deleteStorePaths`, roots;
 * - `verify`, `optimise`.
 */
export type StoreCapability =
  | 'local-fs'
  | 'write'
  | 'signatures'
  | 'referrers'
  | 'derivers'
  | 'gc'
  | 'verify'
  | 'optimise'
  | (string & {});

/** The capability names core defines (plugins may declare others). */
export const KNOWN_CAPABILITIES: readonly string[] = [
  'derivers',
  'gc',
  'local-fs',
  'optimise',
  'referrers',
  'signatures',
  'verify',
  'write',
];

/**
 * Where long operations (GC, verify, optimise, big adds) report as they go: `log` gets each
 * line exactly as Nix prints it on stderr (`deleting '/nix/store/…'`, `warning: …`), so a CLI
 * can print it as is; `progress` is for progress bars (units done of total, total 0 = unknown).
 */
export interface StoreActivity {
  log?(line: string): void;
  progress?(done: number, total: number): void;
}

/** How `addToStore` ingests a file system object. */
export interface AddToStoreOptions {
  /** Store path name; defaults to the base name of the source. */
  readonly name?: string;
  /** `flat`: hash the file's bytes; `recursive` (default): hash its NAR. */
  readonly method?: 'flat' | 'recursive';
  /** Hash algorithm of the content address (default sha256). */
  readonly hashAlgorithm?: HashAlgorithm;
  /** Full store paths the new object refers to (must be valid). */
  readonly references?: readonly string[];
  /** Re-add even when valid (repair a corrupted copy). */
  readonly repair?: boolean;
  /**
   * Store paths to look for in the contents (in the same pass that hashes them): the ones
   * found are added to `references`. Stores that cannot scan treat them as not found.
   */
  readonly referenceCandidates?: readonly string[];
  readonly activity?: StoreActivity;
}

/** How `addNar` imports an object. */
export interface AddNarOptions {
  /** Require a signature by a trusted key (Nix's `checkSigs`); default: the store's policy. */
  readonly checkSigs?: boolean;
  readonly repair?: boolean;
}

/** What the garbage collector should do. */
export interface GcOptions extends StoreActivity {
  readonly action: 'return-live' | 'return-dead' | 'delete-dead' | 'delete-specific';
  /** For `delete-specific`. */
  readonly paths?: readonly string[];
  /** Delete even when reachable from a root (`--ignore-liveness`). */
  readonly ignoreLiveness?: boolean;
  /** Stop after freeing this many bytes. */
  readonly maxFreed?: bigint;
}

/** How to verify. */
export interface VerifyOptions extends StoreActivity {
  /** Hash every path's contents and every `.links` entry (`--check-contents`). */
  readonly checkContents?: boolean;
  /** Repair what can be repaired (`--repair`). */
  readonly repair?: boolean;
}

/** What the garbage collector did or found. */
export interface GcResult {
  /** Live, dead or deleted paths, by action. */
  readonly paths: readonly string[];
  readonly bytesFreed: bigint;
}

/** Outcome of `verify`. */
export interface VerifyResult {
  /** True when problems remain (Nix's exit status 1). */
  readonly errors: boolean;
  /** One line per problem, in Nix's wording (also sent to `log` as they are found). */
  readonly messages: readonly string[];
}

/** Outcome of `optimise`. */
export interface OptimiseResult {
  readonly filesLinked: number;
  readonly bytesFreed: bigint;
}

/** What `strata info` shows. */
export interface StoreInfo {
  /** The store's own reference, rendered (Nix's `Store URL:` line). */
  readonly url: string;
  readonly storeDir: string;
  /** Daemon stores: whether the daemon trusts us. */
  readonly trusted?: boolean;
  /** Daemon stores: the daemon's version. */
  readonly version?: string;
}

/** One problem `strata doctor` found, with the command or change that fixes it. */
export interface StoreProblem {
  readonly message: string;
  readonly fix?: string;
}

/** What `strata doctor` reports about a store and, for layered stores, each layer below it. */
export interface StoreDiagnosis {
  readonly url: string;
  /** The implementation's name (`Local Store`). */
  readonly kind: string;
  /** Resolved facts, in display order: `real store dir` → `/srv/r/nix/store`, … */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  readonly problems: readonly StoreProblem[];
  /** The stores below this one (an overlay's lower store), top-most first. */
  readonly layers?: readonly StoreDiagnosis[];
}

/** Which way a closure follows the reference graph. */
export type ClosureDirection = 'references' | 'referrers';

/** Options of {@link Store.queryClosureGraph}. */
export interface ClosureGraphOptions {
  /** `references` (default): what the paths need; `referrers`: what needs them. */
  readonly direction?: ClosureDirection;
}

/** A store path → its references (or its referrers), sorted. */
export type ClosureEdges = Map<string, string[]>;

/** A Nix store. */
export interface Store {
  /** The logical store directory (`/nix/store`). */
  readonly storeDir: string;
  /** The store's reference for display and messages (`dummy://`, `local`, …). */
  readonly url: string;
  /** What this store can do (see {@link StoreCapability}). */
  readonly capabilities: ReadonlySet<StoreCapability>;

  isValidPath(path: string): Promise<boolean>;
  /** The valid subset of `paths`, in the given order. */
  queryValidPaths(paths: readonly string[]): Promise<string[]>;
  /** Throws `path '…' is not valid` when it is not. */
  queryPathInfo(path: string): Promise<PathInfo>;
  /** Valid paths that refer to `path`, sorted. */
  queryReferrers(path: string): Promise<string[]>;
  /** Derivations known to produce `path`, sorted. */
  queryValidDerivers(path: string): Promise<string[]>;
  /** Outputs of derivation `drvPath`, sorted. */
  queryDerivationOutputs(drvPath: string): Promise<string[]>;
  queryPathFromHashPart(hashPart: string): Promise<string | undefined>;
  /** Every valid path, sorted. */
  queryAllValidPaths(): Promise<string[]>;
  /**
   * The closure of `paths` with its edges, in one call (optional; `computeClosure` walks the
   * graph one query per path where a store lacks it). Every member, the start paths included,
   * maps to what `queryPathInfo(p).references` gives (direction `references`, the default) or
   * what `queryReferrers(p)` gives (`referrers`), sorted, self-references included.
   *
   * As Nix's `computeFSClosure`: following references, a start path that is not valid fails
   * with `path '…' is not valid` (the first such, in the given order); following referrers, it
   * is a member with no referrers.
   *
   * @example
   *   await store.queryClosureGraph!(['/nix/store/…-app'])
   *   // Map { '/nix/store/…-app' => ['/nix/store/…-lib'], '/nix/store/…-lib' => [] }
   */
  queryClosureGraph?(
    paths: readonly string[],
    options?: ClosureGraphOptions,
  ): Promise<ClosureEdges>;

  /** Adds a file or tree from the local file system. */
  addToStore(source: string, options?: AddToStoreOptions): Promise<PathInfo>;
  /** Adds a text object (`builtins.toFile`); returns its path. */
  addTextToStore(
    name: string,
    text: string | Uint8Array,
    references?: readonly string[],
  ): Promise<string>;
  /** Imports an object from its NAR and path info (hash, size and signatures checked). */
  addNar(info: PathInfo, nar: ByteStream, options?: AddNarOptions): Promise<void>;
  /**
   * Imports objects in the given order, as one `addNar` call each would (optional: callers
   * fall back to that loop where a store lacks it). An object may refer to one before it in
   * `items`. Each item's `nar()` is called once and read to its end before the next item is
   * taken, so `items` may stream (an export on stdin). Yields each path, in order, once it is
   * valid (a store may make several valid at once, in batches).
   *
   * On failure the objects before the failing one stay valid, as with that loop; the failing
   * one leaves nothing. The error is the one `addNar` gives.
   *
   * @example
   *   for await (const p of store.addNars!(readExport(stdin, store.storeDir))) console.log(p);
   */
  addNars?(
    items: AsyncIterable<{ readonly info: PathInfo; nar(): ByteStream }>,
    options?: AddNarOptions,
  ): AsyncIterable<string>;
  /** The NAR of a valid path. */
  narFromPath(path: string): ByteStream;
  /** Adds signatures to a valid path's info. */
  addSignatures(path: string, sigs: readonly string[]): Promise<void>;

  collectGarbage(options: GcOptions): Promise<GcResult>;
  deleteStorePaths(paths: readonly string[], options?: StoreActivity): Promise<GcResult>;
  /**
   * Store path → the roots (symlinks, open files) that keep it alive. What Nix reports on
   * the way (`removing stale link …`, `skipping invalid root …`) goes to `options.log`.
   */
  findRoots(options?: StoreActivity): Promise<Map<string, string[]>>;
  addTempRoot(path: string): Promise<void>;
  /** Makes `gcRoot` a permanent root pointing at `path`; returns the root's path. */
  addPermRoot(path: string, gcRoot: string): Promise<string>;
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  optimise(options?: StoreActivity): Promise<OptimiseResult>;
  getInfo(): Promise<StoreInfo>;
  /** Checks the store's setup for `strata doctor` (optional: stores without it are not checked). */
  diagnose?(): Promise<StoreDiagnosis>;

  /** Releases sockets, database handles and locks. Idempotent. */
  close(): Promise<void>;
}

/** The names of the {@link Store} operations, for `unsupported` messages and the kit. */
export type StoreOperation = Exclude<
  keyof Store,
  'storeDir' | 'url' | 'capabilities' | 'close' | 'diagnose'
>;
