/**
 * Hard-link deduplication of a local store (spec store-format §11), as Nix 2.8's
 * `nix-store --optimise` and `auto-optimise-store`: every regular file and symlink of a store
 * object is keyed by its NAR hash (see `link-key.ts`); the first one seen becomes
 * `real/.links/<key>`, later identical ones are atomically replaced by hard links to it.
 *
 * @example
 *   const result = await optimiseStore(ctx, { log: (l) => console.error(l) });
 *   console.error(optimiseSummary(result));    // 0.00 MiB freed by hard-linking 2 files
 *
 *   // auto-optimise-store, after adding a path:
 *   const stats = newOptimiseStats();
 *   await optimisePath(ctx, '/nix/store/…-hello', stats);
 */

import {
  type BigIntStats,
  chmodSync,
  constants,
  existsSync,
  linkSync,
  lstatSync,
  renameSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { errnoCode, ioError } from '@strata/core/io-error';
import type { OptimiseResult, StoreActivity } from '@strata/core/store';
import { formatMiB } from '../gc/summary.js';
import { realPath } from '../layout/locations.js';
import type { LocalStoreContext } from '../store/context.js';
import { linkKey, linksDir } from './link-key.js';
import { readDirNames } from './read-dir.js';

/** Running totals of an optimisation (mutable: `optimisePath` adds to them). */
export interface OptimiseStats {
  filesLinked: number;
  /** Sum of `st_size` of the files replaced by a link. */
  bytesFreed: bigint;
}

/** Fresh zero totals. */
export function newOptimiseStats(): OptimiseStats {
  return { filesLinked: 0, bytesFreed: 0n };
}

/** How `optimisePath` runs. */
export interface OptimisePathOptions {
  /** Also replace a `.links` entry whose contents no longer match its name (Nix's repair). */
  readonly repair?: boolean;
  /** Receives the warnings, as Nix prints them. */
  readonly log?: (line: string) => void;
}

const SLASH = Buffer.from('/');

/** One optimisation run: the `.links` inodes known so far, the totals and where lines go. */
class Optimiser {
  readonly #links: string;
  readonly #realStoreDir: string;
  readonly #inodes: Set<bigint>;
  readonly #stats: OptimiseStats;
  readonly #repair: boolean;
  readonly #log: (line: string) => void;

  constructor(
    ctx: LocalStoreContext,
    inodes: Set<bigint>,
    stats: OptimiseStats,
    options: OptimisePathOptions,
  ) {
    this.#links = linksDir(ctx.locations);
    this.#realStoreDir = ctx.locations.realStoreDir;
    this.#inodes = inodes;
    this.#stats = stats;
    this.#repair = options.repair === true;
    this.#log = options.log ?? (() => {});
  }

  /** Optimises the store object (or anything) at the real path `path`. */
  async optimise(path: string): Promise<void> {
    const p = Buffer.from(path);
    await this.#node(p, lstat(p));
  }

  async #node(path: Buffer, st: BigIntStats): Promise<void> {
    if (st.isDirectory()) {
      for (const name of readDirNames(path)) {
        const child = Buffer.concat([path, SLASH, name]);
        const cst = lstat(child);
        // Nix skips entries by their readdir inode before looking at them at all.
        if (this.#inodes.has(cst.ino)) continue;
        await this.#node(child, cst);
      }
      return;
    }
    if (!st.isFile() && !st.isSymbolicLink()) return;
    const show = path.toString();
    // Files made writable after the fact (programs run as root modifying the store) are
    // left alone rather than shared.
    if (st.isFile() && (st.mode & BigInt(constants.S_IWUSR)) !== 0n) {
      this.#log(`warning: skipping suspicious writable file '${show}'`);
      return;
    }
    if (st.nlink > 1n && this.#inodes.has(st.ino)) return;

    const key = await linkKey(path);
    const linkPath = `${this.#links}/${key}`;

    const existing = lstatOrNull(linkPath);
    if (
      existing !== null &&
      (existing.size !== st.size || (this.#repair && (await linkKey(linkPath)) !== key))
    ) {
      this.#log(`warning: removing corrupted link '${linkPath}'`);
      this.#log('warning: There may be more corrupted paths.');
      this.#log('You should run `nix-store --verify --check-contents --repair` to fix them all');
      try {
        unlinkSync(linkPath);
      } catch {
        // Nix ignores this failure too: the link below then reports the real problem.
      }
    }

    if (!existsSync(linkPath)) {
      try {
        linkSync(path, linkPath);
        this.#inodes.add(st.ino);
        return;
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOSPC') {
          // A full directory index (ext4): deduplication of this file is simply skipped.
          this.#log(`cannot link '${linkPath}' to '${show}': No space left on device`);
          return;
        }
        if (code !== 'EEXIST') throw ioError(`cannot link '${linkPath}' to`, show, e);
        // Another process made the link first: share it as below.
      }
    }

    const stLink = lstat(linkPath);
    if (stLink.ino === st.ino) return;

    const dir = path.subarray(0, path.lastIndexOf(SLASH[0] as number));
    const mustToggle = dir.toString() !== this.#realStoreDir;
    if (mustToggle) makeWritable(dir);
    try {
      const tempLink = `${this.#realStoreDir}/.tmp-link-${process.pid}-${Math.floor(Math.random() * 2 ** 31)}`;
      try {
        linkSync(linkPath, tempLink);
      } catch (e) {
        if (errnoCode(e) === 'EMLINK') {
          // Too many links to one inode (likely with empty files): just leave this copy.
          if (st.size !== 0n) this.#log(`'${linkPath}' has maximum number of links`);
          return;
        }
        throw ioError(`cannot link '${tempLink}' to`, linkPath, e);
      }
      try {
        renameSync(tempLink, path);
      } catch (e) {
        try {
          unlinkSync(tempLink);
        } catch {
          this.#log(`unable to unlink '${tempLink}'`);
        }
        // Some file systems count the link twice during the rename.
        if (errnoCode(e) === 'EMLINK') return;
        throw ioError(`renaming '${tempLink}' to`, show, e);
      }
    } finally {
      if (mustToggle) restoreReadOnly(dir, this.#log);
    }
    this.#stats.filesLinked++;
    this.#stats.bytesFreed += st.size;
  }
}

function lstat(path: Buffer | string): BigIntStats {
  try {
    return lstatSync(path, { bigint: true });
  } catch (e) {
    throw ioError('getting status of', path.toString(), e);
  }
}

function lstatOrNull(path: string): BigIntStats | null {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return st ?? null;
}

function makeWritable(dir: Buffer): void {
  const st = lstat(dir);
  try {
    chmodSync(dir, Number(st.mode & 0o7777n) | constants.S_IWUSR);
  } catch (e) {
    throw ioError('changing writability of', dir.toString(), e);
  }
}

/** Nix's `canonicaliseTimestampAndPermissions` of the directory (§5.3); failures are logged. */
function restoreReadOnly(dir: Buffer, log: (line: string) => void): void {
  try {
    const st = lstat(dir);
    const mode = Number(st.mode & 0o7777n);
    if (mode !== 0o444 && mode !== 0o555) {
      chmodSync(dir, 0o444 | (mode & constants.S_IXUSR ? 0o111 : 0));
    }
    // Whole seconds, as Nix compares and sets them.
    if (st.mtimeMs / 1000n !== 1n) utimesSync(dir, Number(st.atimeMs / 1000n), 1);
  } catch (e) {
    log(`error (ignored): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The inodes of every entry of `.links` (an absent `.links` has none). */
function loadLinkInodes(links: string): Set<bigint> {
  const inodes = new Set<bigint>();
  if (!existsSync(links)) return inodes;
  for (const name of readDirNames(Buffer.from(links))) {
    const st = lstatSync(Buffer.concat([Buffer.from(links), SLASH, name]), {
      bigint: true,
      throwIfNoEntry: false,
    });
    if (st !== undefined) inodes.add(st.ino);
  }
  return inodes;
}

/**
 * Optimises every valid path of the store (`nix-store --optimise`): each is first made a
 * temporary root, paths that became invalid meanwhile are skipped. Warnings go to
 * `activity.log`; `activity.progress` gets (paths done, valid paths). The summary line is
 * the caller's to print, see {@link optimiseSummary}.
 */
export async function optimiseStore(
  ctx: LocalStoreContext,
  activity: StoreActivity = {},
): Promise<OptimiseResult> {
  const queries = ctx.database({ writable: !ctx.readOnly }).queries;
  const paths = queries.queryAllValidPaths();
  const stats = newOptimiseStats();
  const optimiser = new Optimiser(
    ctx,
    loadLinkInodes(linksDir(ctx.locations)),
    stats,
    activity.log ? { log: activity.log } : {},
  );
  activity.progress?.(0, paths.length);
  let done = 0;
  for (const path of paths) {
    await ctx.addTempRoot(path);
    if (!queries.isValidPath(path)) continue;
    await optimiser.optimise(realPath(ctx.locations, path));
    activity.progress?.(++done, paths.length);
  }
  return { filesLinked: stats.filesLinked, bytesFreed: stats.bytesFreed };
}

/**
 * Optimises one freshly written store path (what Nix does after each addition when
 * `auto-optimise-store` is set; checking that setting is the caller's job). Like Nix it starts
 * without the `.links` inodes, so already-shared files are recognised by their hash.
 */
export async function optimisePath(
  ctx: LocalStoreContext,
  storePath: string,
  stats: OptimiseStats,
  options: OptimisePathOptions = {},
): Promise<void> {
  await new Optimiser(ctx, new Set(), stats, options).optimise(realPath(ctx.locations, storePath));
}

/** Nix 2.8's final line: `<x.xx> MiB freed by hard-linking <n> files`. */
export function optimiseSummary(result: OptimiseResult): string {
  return `${formatMiB(result.bytesFreed)} MiB freed by hard-linking ${result.filesLinked} files`;
}
