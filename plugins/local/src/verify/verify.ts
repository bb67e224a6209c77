/**
 * `nix-store --verify [--check-contents] [--repair]` for a local store (spec store-format §10),
 * with Nix 2.8's messages: valid paths that disappeared are dropped from the database (or
 * reported while valid paths still refer to them), and with `checkContents` every `.links`
 * entry and every valid path is hashed against its name / recorded NAR hash, missing hashes
 * and sizes are filled in, and with `repair` modified paths are fetched again from the
 * substituters.
 *
 * Lines go to `options.log` as they are found, exactly as Nix prints them on stderr; the
 * closing `warning: not all store errors were fixed` is the caller's (see `verifySummary`),
 * as it is `nix-store`'s in Nix.
 *
 * @example
 *   const r = await verifyStore(ctx, { checkContents: true, log: (l) => console.error(l) });
 *   const last = verifySummary(r);   // the warning, or undefined
 *   process.exitCode = r.errors ? 1 : 0;
 */
import { closeSync, constants, existsSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isStrataError, strataError } from '@strata/core/errors';
import type { Hash } from '@strata/core/hash';
import { ioError } from '@strata/core/io-error';
import type { VerifyOptions, VerifyResult } from '@strata/core/store';
import { flock, flockAsync, narHashOfObject } from '@strata/native';
import type { StoreDatabase } from '../db/store-database.js';
import { realPath } from '../layout/locations.js';
import { linkKey, linksDir } from '../optimise/link-key.js';
import { readDirNames } from '../optimise/read-dir.js';
import type { LocalStoreContext } from '../store/context.js';

/** Ways for a store built on this one to narrow what is checked. */
export interface VerifyHooks {
  /**
   * False for a valid path this store must neither check nor invalidate (an overlay store's
   * paths that only exist in its lower store). Such a path counts as present.
   */
  shouldCheck?(storePath: string): boolean;
}

// Progress lines: logged, but not findings for `VerifyResult.messages`.
const HEADINGS = new Set([
  'reading the Nix store...',
  'waiting for the big garbage collector lock...',
  'checking path existence...',
  'checking link hashes...',
  'checking store hashes...',
]);

/** The line `nix-store --verify` ends with when problems remain, or undefined. */
export function verifySummary(result: VerifyResult): string | undefined {
  return result.errors ? 'warning: not all store errors were fixed' : undefined;
}

function isNullHash(h: Hash): boolean {
  return h.algorithm === 'sha256' && h.bytes.every((b) => b === 0);
}

/** Takes the shared `gc.lock` (Nix's `ltRead`, waiting with its message); returns its fd. */
async function lockGcShared(ctx: LocalStoreContext, log: (l: string) => void): Promise<number> {
  const file = join(ctx.locations.stateDir, 'gc.lock');
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  } catch (e) {
    throw ioError('opening lock file', file, e);
  }
  try {
    if (!flock(fd, 'shared')) {
      log('waiting for the big garbage collector lock...');
      await flockAsync(fd, 'shared');
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/** One run of verify: its options, database and findings. */
class Verifier {
  readonly #ctx: LocalStoreContext;
  readonly #db: StoreDatabase;
  readonly #options: VerifyOptions;
  readonly #shouldCheck: (p: string) => boolean;
  readonly messages: string[] = [];
  errors = false;

  constructor(
    ctx: LocalStoreContext,
    db: StoreDatabase,
    options: VerifyOptions,
    hooks: VerifyHooks,
  ) {
    this.#ctx = ctx;
    this.#db = db;
    this.#options = options;
    this.#shouldCheck = hooks.shouldCheck ?? (() => true);
  }

  log(line: string): void {
    if (!HEADINGS.has(line)) this.messages.push(line);
    this.#options.log?.(line);
  }

  /** Nix's `repairPath`: substitution only (Strata does not build). */
  async #repair(path: string): Promise<void> {
    if (!(await this.#ctx.repairFromSubstituters(path))) {
      throw strataError('STRATA_ERR_LOCAL_CANNOT_REPAIR', { path });
    }
  }

  /**
   * Nix's `verifyPath`: a valid path without a store entry is invalidated when none of its
   * referrers remains valid (they are checked first, recursively), else reported.
   * `present` collects the valid paths that exist.
   */
  async checkExistence(
    path: string,
    entries: ReadonlySet<string>,
    done: Set<string>,
    present: Set<string>,
  ): Promise<void> {
    if (done.has(path)) return;
    done.add(path);
    if (!this.#shouldCheck(path)) return;
    if (entries.has(path.slice(this.#ctx.dir.path.length + 1))) {
      present.add(path);
      return;
    }
    const queries = this.#db.queries;
    let canInvalidate = true;
    for (const referrer of queries.queryReferrers(path)) {
      if (referrer === path) continue;
      await this.checkExistence(referrer, entries, done, present);
      // Nix 2.8 asks only whether the referrer exists; a referrer that disappeared but could
      // not be invalidated then makes its `delete` fail on the foreign key and aborts the
      // whole verify. Still being in the database is what really forbids invalidating.
      if (queries.isValidPath(referrer)) canInvalidate = false;
    }
    if (canInvalidate) {
      this.log(`path '${path}' disappeared, removing from database...`);
      this.#db.writer().invalidatePath(path);
      return;
    }
    this.log(`path '${path}' disappeared, but it still has valid referrers!`);
    if (!this.#options.repair) {
      this.errors = true;
      return;
    }
    try {
      await this.#repair(path);
    } catch (e) {
      if (!isStrataError(e)) throw e;
      this.log(`warning: ${e.message}`);
      this.errors = true;
    }
  }

  /** Every `.links` entry must be named by its own hash; with repair, bad ones go. */
  async checkLinks(): Promise<void> {
    const links = linksDir(this.#ctx.locations);
    if (!existsSync(links)) return;
    for (const name of readDirNames(Buffer.from(links)).map(String)) {
      const linkPath = `${links}/${name}`;
      const got = await linkKey(linkPath);
      if (got === name) continue;
      this.log(`link '${linkPath}' was modified! expected hash '${name}', got '${got}'`);
      if (!this.#options.repair) {
        this.errors = true;
        continue;
      }
      try {
        unlinkSync(linkPath);
      } catch (e) {
        throw ioError('removing corrupt link', linkPath, e);
      }
      this.log(`removed link '${linkPath}'`);
    }
  }

  /** Hashes one existing valid path against its row, fixing a missing hash or size. */
  async checkContents(path: string): Promise<void> {
    const queries = this.#db.queries;
    try {
      const info = queries.queryPathInfo(path);
      const current = await narHashOfObject(
        realPath(this.#ctx.locations, path),
        info.narHash.algorithm,
      );
      if (!isNullHash(info.narHash) && !info.narHash.equals(current.hash)) {
        this.log(
          `path '${path}' was modified! expected hash '${info.narHash.toString('base32')}', got '${current.hash.toString('base32')}'`,
        );
        if (this.#options.repair) await this.#repair(path);
        else this.errors = true;
        return;
      }
      let update = false;
      let fixed = info;
      if (isNullHash(info.narHash)) {
        this.log(`fixing missing hash on '${path}'`);
        fixed = { ...fixed, narHash: current.hash };
        update = true;
      }
      if (info.narSize === 0) {
        this.log(`updating size field on '${path}' to ${current.size}`);
        fixed = { ...fixed, narSize: current.size };
        update = true;
      }
      if (update) this.#db.writer().registerValidPaths([fixed]);
    } catch (e) {
      if (!isStrataError(e)) throw e;
      // The path may have been garbage-collected meanwhile: then it is only a warning.
      this.log(queries.isValidPath(path) ? `error: ${e.message}` : `warning: ${e.message}`);
      this.errors = true;
    }
  }
}

/**
 * Verifies the store (spec §10). Holds a shared `gc.lock` throughout (none on a read-only
 * store) so the garbage collector cannot change what is being compared. `options.progress`
 * gets (done, total) over the valid paths, once for the existence check and, with
 * `checkContents`, again for the hashing of the existing paths.
 */
export async function verifyStore(
  ctx: LocalStoreContext,
  options: VerifyOptions = {},
  hooks: VerifyHooks = {},
): Promise<VerifyResult> {
  const db = ctx.database({ writable: !ctx.readOnly });
  const v = new Verifier(ctx, db, options, hooks);
  v.log('reading the Nix store...');
  const lockFd = ctx.readOnly ? undefined : await lockGcShared(ctx, (l) => v.log(l));
  try {
    let entries: Set<string>;
    try {
      entries = new Set(readdirSync(ctx.locations.realStoreDir));
    } catch (e) {
      throw ioError('opening directory', ctx.locations.realStoreDir, e);
    }

    v.log('checking path existence...');
    const all = db.queries.queryAllValidPaths();
    const done = new Set<string>();
    const present = new Set<string>();
    options.progress?.(0, all.length);
    for (const [i, path] of all.entries()) {
      await v.checkExistence(path, entries, done, present);
      options.progress?.(i + 1, all.length);
    }

    if (options.checkContents) {
      v.log('checking link hashes...');
      await v.checkLinks();
      v.log('checking store hashes...');
      const existing = [...present].sort();
      options.progress?.(0, existing.length);
      for (const [i, path] of existing.entries()) {
        await v.checkContents(path);
        options.progress?.(i + 1, existing.length);
      }
    }
  } finally {
    if (lockFd !== undefined) closeSync(lockFd);
  }
  return { errors: v.errors, messages: v.messages };
}
