/**
 * The garbage collector of the local store (spec store-format §9.3–§9.5), with Nix 2.8's order
 * and messages so `strata gc` and `nix-store --gc` print the same lines on the same store:
 *
 * 1. with deletion, remove `db/reserved` (room for SQLite); take `gc.lock` exclusively
 *    (`waiting for the big garbage collector lock...`) and start the roots socket;
 * 2. `finding garbage collector roots...`: permanent and runtime roots (unless
 *    `ignoreLiveness`), then the temporary roots;
 * 3. walk the real store dir in directory order: a name that is not a store path is garbage and
 *    deleted at once; for a store path, explore everything reachable through referrer edges
 *    (plus outputs of a `.drv` under keep-derivations, derivers under keep-outputs): reaching a
 *    root or a known live path makes it live, otherwise all explored paths are dead and are
 *    deleted referrers first (each invalidated in the database, then removed from disk);
 * 4. with deletion, the unused-links step.
 *
 * A path added by another process while this runs is safe: the adder registers a temporary
 * root first, through the socket (recorded before it is acknowledged), and a root arriving for
 * a path being deleted is acknowledged only after that deletion finished.
 *
 * @example
 *   const result = await collectGarbage(ctx, { action: 'delete-dead', log: console.error });
 *   console.log(gcSummary(result));
 */
import { accessSync, constants, mkdirSync, opendirSync, unlinkSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type StrataError, strataError } from '@strata/core/errors';
import { errnoCode, ioError } from '@strata/core/io-error';
import { type GcOptions, type GcResult, topoSortPaths } from '@strata/core/store';
import { acquireLockFile, type HeldLock } from '../locks/lock-file.js';
import type { LocalStoreContext } from '../store/context.js';
import { deleteRealPath } from './delete-path.js';
import { GcRootsServer } from './gc-socket.js';
import { DeletionBatch, invalidateMany } from './invalidate-many.js';
import { findPermanentRoots, findRuntimeRoots, type RootMap } from './roots.js';
import { gcLockPath, gcSocketPath, readTempRoots } from './temp-roots.js';
import { deleteUnusedLinks } from './unused-links.js';

/** How a store built on the local store changes what the collector does to disk. */
export interface GcHooks {
  /**
   * Removes one entry of the store dir (a store path, or garbage like a lock file) and
   * returns the bytes freed. Default: delete `realPath` recursively (`deleteRealPath`).
   */
  deleteObject?(storePath: string, realPath: string): Promise<bigint>;
  /** Called after a path's row was removed from the database (e.g. to drop caches). */
  invalidated?(storePath: string): void;
  /**
   * The directory whose `.links` the unused-links step cleans (default: the real store dir).
   * An overlay store gives its upper layer: through the merged dir, unlinking a lower layer's
   * link would leave a whiteout.
   */
  readonly linksStoreDir?: string;
  /** Called at the end of a collection that deleted (after the unused-links step). */
  afterCollection?(): Promise<void>;
}

/** Store dir entries walked between two turns of the event loop. */
const TURN_EVERY = 32;
/**
 * Dead paths invalidated before their files are deleted and the transaction committed, and
 * for how long at most (ms): the write lock is held meanwhile, and a client asking for a temp
 * root of a path walked since the last flush waits for its answer.
 */
const DEFER_AT_MOST = 256;
const DEFER_MS = 25;

/** Thrown inside the walk when `maxFreed` was exceeded. */
class LimitReached extends Error {}

const partialResults = new WeakMap<object, GcResult>();

/**
 * What a `delete-specific` collection that failed (a path still alive) had already deleted:
 * Nix prints the summary for it even after the error.
 */
export function partialGcResult(error: unknown): GcResult | undefined {
  return typeof error === 'object' && error !== null ? partialResults.get(error) : undefined;
}

/**
 * Records `result` as what was done before `error` (unless the error has a record already):
 * for a collection that succeeded but whose follow-up failed (an overlay's remount hook).
 */
export function recordPartialGcResult(error: unknown, result: GcResult): void {
  if (typeof error === 'object' && error !== null && !partialResults.has(error)) {
    partialResults.set(error, result);
  }
}

/** Runs the collector; see the module comment. */
export async function collectGarbage(
  ctx: LocalStoreContext,
  options: GcOptions,
  hooks: GcHooks = {},
): Promise<GcResult> {
  const log = (line: string) => options.log?.(line);
  const { dir, locations } = ctx;
  const action = options.action;
  const shouldDelete = action === 'delete-dead' || action === 'delete-specific';
  const maxFreed = options.maxFreed;
  let keepOutputs = ctx.globals.keepOutputs;
  let keepDerivations = ctx.globals.keepDerivations;
  // With --ignore-liveness these would make --delete recurse into outputs or derivers.
  if (action === 'delete-specific' && options.ignoreLiveness) {
    keepOutputs = false;
    keepDerivations = false;
  }
  const toDelete = new Set<string>();
  if (action === 'delete-specific') {
    for (const p of options.paths ?? []) toDelete.add(dir.print(dir.parsePath(p)));
  }

  // The read-only view cannot lock or delete: it reports from the database only.
  const mutable = !ctx.readOnly;
  const db = ctx.database({ writable: shouldDelete });
  const queries = db.queries;
  // Refuse before anything is touched (a read-only database has no writer). A store directory
  // this process cannot write would leave paths invalidated but still on disk.
  if (shouldDelete) {
    db.writer();
    try {
      accessSync(locations.realStoreDir, constants.W_OK);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw ioError('writing to', locations.realStoreDir, e);
    }
  }

  if (shouldDelete) {
    try {
      unlinkSync(`${locations.dbDir}/reserved`);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw ioError('deleting', `${locations.dbDir}/reserved`, e);
    }
  }

  // Temp roots as hash parts, so `<path>.lock`/`.chroot`/`.check` of a protected path are too.
  const tempRoots = new Set<string>();
  // Hash parts of the paths of the closure being deleted: a root for one of them is only
  // acknowledged once that deletion is over, so the client cannot re-create it meanwhile.
  const pending = new Set<string>();
  let pendingDone: Promise<void> = Promise.resolve();
  let finishPending = () => {};

  let lock: HeldLock | undefined;
  let server: GcRootsServer | undefined;
  const deleted = new Set<string>();
  let bytesFreed = 0n;
  try {
    if (mutable) {
      mkdirSync(locations.stateDir, { recursive: true });
      lock = await acquireLockFile(gcLockPath(locations), 'exclusive', () =>
        log('waiting for the big garbage collector lock...'),
      );
      server = await GcRootsServer.start(
        gcSocketPath(locations),
        async (line) => {
          const hashPart = hashPartOf(ctx, line);
          if (hashPart === undefined) return false;
          tempRoots.add(hashPart);
          while (pending.has(hashPart)) await pendingDone;
          return true;
        },
        log,
      );
    }

    log('finding garbage collector roots...');
    const rootMap: RootMap = new Map();
    if (!options.ignoreLiveness) {
      findPermanentRoots(ctx, rootMap, log);
      findRuntimeRoots(ctx, rootMap, true);
    }
    const roots = new Set(rootMap.keys());
    for (const path of readTempRoots(locations, dir, log, { readOnly: !mutable }).keys()) {
      tempRoots.add(dir.parsePath(path).hashPart);
      roots.add(path);
    }

    const alive = new Set<string>();
    const dead = new Set<string>();
    const referrersCache = new Map<string, string[]>();

    const deleteEntry = async (baseName: string) => {
      const storePath = `${dir.path}/${baseName}`;
      log(`deleting '${storePath}'`);
      deleted.add(storePath);
      const realPath = `${locations.realStoreDir}/${baseName}`;
      bytesFreed += hooks.deleteObject
        ? await hooks.deleteObject(storePath, realPath)
        : deleteRealPath(realPath);
      if (maxFreed !== undefined && bytesFreed > maxFreed) {
        log(`deleted more than ${maxFreed} bytes; stopping`);
        throw new LimitReached();
      }
    };

    const closureOf = (path: string): string[] => {
      const seen = new Set<string>([path]);
      const todo = [path];
      for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
        for (const r of queries.queryReferences(p)) {
          if (!seen.has(r)) {
            seen.add(r);
            todo.push(r);
          }
        }
      }
      return [...seen];
    };

    /**
     * The references of each path of `closure` within it, from the referrers the walk read
     * (every valid path of a finished walk had its referrers read, so every edge inside the
     * closure is among them); paths deleted earlier have no edges, as in the database.
     */
    const referencesWithin = (closure: ReadonlySet<string>) => {
      const refs = new Map<string, string[]>();
      for (const q of closure) {
        if (dead.has(q)) continue;
        for (const p of referrersCache.get(q) ?? []) {
          if (p === q || dead.has(p) || !closure.has(p)) continue;
          const list = refs.get(p);
          if (list === undefined) refs.set(p, [q]);
          else list.push(q);
        }
      }
      return (p: string): readonly string[] => refs.get(p) ?? [];
    };

    // A whole-store collection without a byte limit invalidates the dead paths of many
    // closures in one transaction (`batch`), their files deleted, in order, once it is
    // committed: one commit per few hundred paths instead of one per closure, and never a
    // file gone whose row is not.
    const deferring = action === 'delete-dead' && maxFreed === undefined;
    const batch = deferring ? new DeletionBatch(db) : undefined;
    const queued: string[] = [];
    let queuedSince = 0;
    const flushDue = () =>
      !deferring || queued.length >= DEFER_AT_MOST || performance.now() - queuedSince > DEFER_MS;
    const flushDeletions = async () => {
      batch?.commit();
      try {
        for (const path of queued.splice(0)) {
          // Under a byte limit, Nix stops between paths: later ones must stay valid.
          if (maxFreed !== undefined) db.writer().invalidatePath(path);
          hooks.invalidated?.(path);
          await deleteEntry(path.slice(dir.path.length + 1));
          referrersCache.delete(path);
        }
      } finally {
        queued.length = 0;
        endPending();
      }
    };

    /** Nix's `deleteReferrersClosure`: see the module comment, step 3. */
    const deleteReferrersClosure = async (start: string) => {
      const visited = new Set<string>([start]);
      const todo = [start];
      const markAlive = (path: string) => {
        alive.add(path);
        alive.add(start);
        for (const p of closureOf(path)) alive.add(p);
      };
      const enqueue = (p: string) => {
        if (!visited.has(p)) {
          visited.add(p);
          todo.push(p);
        }
      };
      try {
        let next = 0;
        for (; next < todo.length; next++) {
          const path = todo[next];
          if (alive.has(path)) {
            alive.add(start);
            return;
          }
          if (dead.has(path)) continue;
          if (roots.has(path)) return markAlive(path);
          if (action === 'delete-specific' && !toDelete.has(path)) return;
          const hashPart = path.slice(dir.path.length + 1, dir.path.length + 33);
          if (tempRoots.has(hashPart)) return markAlive(path);
          pending.add(hashPart);
          if (!queries.isValidPath(path)) continue;
          let referrers = referrersCache.get(path);
          if (referrers === undefined) {
            referrers = queries.queryReferrers(path);
            referrersCache.set(path, referrers);
          }
          for (const r of referrers) enqueue(r);
          if (keepDerivations && path.endsWith('.drv')) {
            for (const out of queries.queryDerivationOutputMap(path).values()) {
              if (queries.lookupPathInfo(out)?.deriver === path) enqueue(out);
            }
          }
          if (keepOutputs) for (const d of queries.queryValidDerivers(path)) enqueue(d);
        }
        const doomed = topoSortPaths(visited, referencesWithin(visited)).filter(
          (p) => !dead.has(p),
        );
        if (!shouldDelete) {
          for (const path of doomed) dead.add(path);
          return;
        }
        // Without a byte limit the closure's rows go in one transaction (with a limit, each
        // path is invalidated just before its deletion); the paths without a row (garbage
        // names, an overlay's lower-only paths) need none. The walk read the referrers of
        // exactly the valid paths that are not deleted yet.
        let stopAt = doomed.length;
        let failure: unknown;
        if (maxFreed === undefined) {
          const rows = doomed.filter((p) => referrersCache.has(p));
          if (rows.length > 0) batch?.begin();
          const result = invalidateMany(db, rows);
          if (result.error !== undefined) {
            stopAt = doomed.indexOf(rows[result.done]!);
            failure = result.error;
          }
        }
        for (const [i, path] of doomed.entries()) {
          dead.add(path);
          if (i === stopAt) {
            await flushDeletions();
            throw failure;
          }
          if (queued.length === 0) queuedSince = performance.now();
          queued.push(path);
        }
        if (queued.length > 0 && flushDue()) await flushDeletions();
      } finally {
        // Temp roots asked for the closure's paths wait until their files are gone.
        if (queued.length === 0) endPending();
      }
    };

    let pendingOpen = false;
    const beginClosure = () => {
      if (pendingOpen) return;
      pendingOpen = true;
      pendingDone = new Promise<void>((resolve) => {
        finishPending = resolve;
      });
    };
    const endPending = () => {
      pending.clear();
      pendingOpen = false;
      finishPending();
    };

    try {
      if (action === 'delete-specific') {
        for (const path of [...toDelete].sort()) {
          beginClosure();
          await deleteReferrersClosure(path);
          if (!dead.has(path)) {
            const error: StrataError = strataError('STRATA_ERR_STORE_PATH_ALIVE', { path });
            partialResults.set(error, { paths: [...deleted].sort(), bytesFreed });
            throw error;
          }
        }
      } else if (maxFreed === undefined || maxFreed > 0n) {
        log(shouldDelete ? 'deleting garbage...' : 'determining live/dead paths...');
        // Big batches: each read of a just-modified OverlayFS dir re-merges its layers.
        const storeDir = opendirSync(locations.realStoreDir, { bufferSize: 1024 });
        try {
          let entries = 0;
          for (let entry = storeDir.readSync(); entry !== null; entry = storeDir.readSync()) {
            const name = entry.name;
            if (name === '.links') continue;
            // Let the roots socket answer clients every few paths (a turn per path is costly).
            if (++entries % TURN_EVERY === 0) await nextTurn();
            if (dir.isStorePath(`${dir.path}/${name}`)) {
              beginClosure();
              await deleteReferrersClosure(`${dir.path}/${name}`);
              // Also after closures that found nothing dead: the batch must not wait long.
              if (queued.length > 0 && flushDue()) await flushDeletions();
            } else if (mutable) {
              // In Nix's order: after the store paths found dead before it.
              await flushDeletions();
              await deleteEntry(name);
            }
          }
          await flushDeletions();
        } catch (e) {
          // What was found dead before the failure is deleted, as Nix would have done.
          if (queued.length > 0) await flushDeletions();
          throw e;
        } finally {
          storeDir.closeSync();
          batch?.rollback();
        }
      }
    } catch (e) {
      if (!(e instanceof LimitReached)) throw e;
    }

    // Nix 2.8 adds the garbage entries it deleted on the way to both lists.
    if (action === 'return-live' || action === 'return-dead') {
      const found = action === 'return-live' ? alive : dead;
      return { paths: [...new Set([...deleted, ...found])].sort(), bytesFreed };
    }
    deleteUnusedLinks(hooks.linksStoreDir ?? locations.realStoreDir, log);
    await hooks.afterCollection?.();
    return { paths: [...deleted].sort(), bytesFreed };
  } finally {
    await server?.stop();
    lock?.release();
  }
}

function hashPartOf(ctx: LocalStoreContext, line: string): string | undefined {
  try {
    return ctx.dir.parsePath(line).hashPart;
  } catch {
    return undefined;
  }
}
