/**
 * Garbage collector roots (spec store-format §9.1), found as Nix 2.8 finds them:
 *
 * - permanent roots under `state/gcroots` and `state/profiles`: symlinks into the store,
 *   indirect roots (symlinks to symlinks into the store; stale ones in `gcroots/auto` are
 *   removed) and regular files named like a store path;
 * - runtime roots: store paths that running processes use (`/proc/<pid>/{exe,cwd,fd/*,maps,
 *   environ}` and three kernel settings);
 * - temporary roots (`temp-roots.ts`).
 *
 * Also `addPermRoot`/`addIndirectRoot` (`--add-root`) and the `--print-roots` rendering.
 *
 * @example
 *   const roots = findRoots(ctx, { runtime: true });       // Map path → ['/home/a/result', …]
 *   for (const line of printRoots(roots)) console.log(line); // '/home/a/result -> /nix/store/…'
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type Dirent,
  lstatSync,
  mkdirSync,
  opendirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { strataError } from '@strata/core/errors';
import { encodeBase32 } from '@strata/core/hash';
import { errnoCode, ioError } from '@strata/core/io-error';
import { canonPath, type StoreDir } from '@strata/core/store-path';
import type { LocalStoreContext } from '../store/context.js';
import { readTempRoots } from './temp-roots.js';

/** Roots being collected: store path → names of what roots it. */
export type RootMap = Map<string, Set<string>>;

/** Name used for roots whose origin must not be shown (the collector never shows them). */
export const CENSORED = '{censored}';

/** Nix's `isInDir` on an uncanonicalised path: strictly below `dir`. */
function isInDir(path: string, dir: string): boolean {
  return path.length >= dir.length + 2 && path.startsWith(`${dir}/`);
}

function isInStore(dir: StoreDir, path: string): boolean {
  return isInDir(path, dir.path);
}

/** The store path a path inside the store belongs to, or undefined when it names none. */
function storePathOf(dir: StoreDir, target: string): string | undefined {
  try {
    return dir.print(dir.toStorePath(target).storePath);
  } catch {
    return undefined;
  }
}

function addRoot(roots: RootMap, path: string, name: string): void {
  const names = roots.get(path);
  if (names) names.add(name);
  else roots.set(path, new Set([name]));
}

const PERMANENT_FAILURES = new Set(['EACCES', 'ENOENT', 'ENOTDIR']);

/**
 * Adds the permanent roots (`state/gcroots`, `state/profiles`) to `roots`; logs Nix's info
 * lines (`skipping invalid root …`, `removing stale link …`, `cannot read potential root …`).
 * Stale links are left alone in a read-only store.
 */
export function findPermanentRoots(
  ctx: LocalStoreContext,
  roots: RootMap,
  log: (line: string) => void,
): void {
  const { dir, locations } = ctx;
  const queries = ctx.database().queries;
  const autoDir = `${locations.stateDir}/gcroots/auto`;

  const foundRoot = (path: string, target: string) => {
    const storePath = storePathOf(dir, target);
    if (storePath === undefined) return;
    if (queries.isValidPath(storePath)) addRoot(roots, storePath, path);
    else log(`skipping invalid root from '${path}' to '${target}'`);
  };

  const visit = (path: string, entry: Dirent | undefined) => {
    try {
      const type = entry ?? lstatSync(path);
      if (type.isDirectory()) {
        for (const child of readDirectory(path)) visit(`${path}/${child.name}`, child);
      } else if (type.isSymbolicLink()) {
        const target = readlinkSync(path);
        if (isInStore(dir, target)) {
          foundRoot(path, target);
          return;
        }
        const indirect = canonPath(resolve(dirname(path), target));
        if (!lexists(indirect)) {
          if (isInDir(path, autoDir) && !ctx.readOnly) {
            log(`removing stale link from '${path}' to '${indirect}'`);
            unlinkSync(path);
          }
          return;
        }
        if (!lstatSync(indirect).isSymbolicLink()) return;
        const target2 = readlinkSync(indirect);
        if (isInStore(dir, target2)) foundRoot(indirect, target2);
      } else if (type.isFile()) {
        const slash = path.lastIndexOf('/');
        const storePath = `${dir.path}/${path.slice(slash + 1)}`;
        if (dir.isStorePath(storePath) && queries.isValidPath(storePath)) {
          addRoot(roots, storePath, path);
        }
      }
    } catch (e) {
      if (PERMANENT_FAILURES.has(errnoCode(e) ?? '')) {
        log(`cannot read potential root '${path}'`);
        return;
      }
      throw e;
    }
  };

  visit(`${locations.stateDir}/gcroots`, undefined);
  visit(`${locations.stateDir}/profiles`, undefined);
}

/** Entries in directory order (`readdirSync` sorts them; Nix's walk does not). */
function readDirectory(path: string): Dirent[] {
  const dir = opendirSync(path);
  const entries: Dirent[] = [];
  try {
    for (let e = dir.readSync(); e !== null; e = dir.readSync()) entries.push(e);
  } finally {
    dir.closeSync();
  }
  return entries;
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
    throw e;
  }
}

function quoteRegex(text: string): string {
  return text.replace(/[.^$\\*+?()[\]{}|]/g, '\\$&');
}

const MAPS_LINE = /^\s*\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\/\S+)\s*$/;

/**
 * Adds the runtime roots: store paths that processes on this machine have open, mapped, as
 * executable or working directory, or mention in their environment (Linux `/proc`). Names are
 * the `/proc` files they were found in, or `{censored}` with `censor`.
 */
export function findRuntimeRoots(ctx: LocalStoreContext, roots: RootMap, censor: boolean): void {
  const unchecked = new Map<string, Set<string>>();
  const note = (target: string, file: string) => addRoot(unchecked, target, file);
  const readLink = (file: string) => {
    try {
      const target = readlinkSync(file);
      if (target.startsWith('/')) note(target, file);
    } catch {
      // The process exited, or its links are not ours to read.
    }
  };
  const storePathRegex = new RegExp(
    `${quoteRegex(ctx.dir.path)}/[0-9a-z]+[0-9a-zA-Z+\\-._?=]*`,
    'g',
  );
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    // No /proc: no runtime roots.
  }
  for (const pid of pids) {
    readLink(`/proc/${pid}/exe`);
    readLink(`/proc/${pid}/cwd`);
    const fdDir = `/proc/${pid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch {
      continue;
    }
    for (const fd of fds) if (!fd.startsWith('.')) readLink(`${fdDir}/${fd}`);
    try {
      const mapFile = `/proc/${pid}/maps`;
      for (const line of readFileSync(mapFile, 'utf8').split('\n')) {
        const m = MAPS_LINE.exec(line);
        if (m) note(m[1], mapFile);
      }
      const envFile = `/proc/${pid}/environ`;
      for (const m of readFileSync(envFile, 'utf8').matchAll(storePathRegex)) note(m[0], envFile);
    } catch {
      // The process exited, or is not ours to inspect.
    }
  }
  for (const file of ['modprobe', 'fbsplash', 'poweroff_cmd']) {
    const path = `/proc/sys/kernel/${file}`;
    try {
      note(readFileSync(path, 'utf8'), path);
    } catch {
      // Missing or unreadable setting.
    }
  }
  const queries = ctx.database().queries;
  for (const [target, files] of unchecked) {
    if (!isInStore(ctx.dir, target)) continue;
    const storePath = storePathOf(ctx.dir, target);
    if (storePath === undefined || !queries.isValidPath(storePath)) continue;
    for (const f of censor ? [CENSORED] : files) addRoot(roots, storePath, f);
  }
}

/** What {@link findRoots} looks at. */
export interface FindRootsOptions {
  /** Include runtime roots from `/proc` (default true, as Nix). */
  readonly runtime?: boolean;
  /** Replace runtime and temporary root names by `{censored}` (default false). */
  readonly censor?: boolean;
  /** Nix's info lines (stale links removed, invalid roots skipped, stale temp-roots files). */
  readonly log?: (line: string) => void;
}

/**
 * All roots of the store, as `nix-store --gc --print-roots` sees them: store path → sorted
 * root names (link paths, `/proc/<pid>/…` files, `{temp:<pid>}`).
 */
export function findRoots(
  ctx: LocalStoreContext,
  options: FindRootsOptions = {},
): Map<string, string[]> {
  const log = options.log ?? (() => {});
  const roots: RootMap = new Map();
  findPermanentRoots(ctx, roots, log);
  if (options.runtime !== false) findRuntimeRoots(ctx, roots, options.censor === true);
  const temp = readTempRoots(ctx.locations, ctx.dir, log, { readOnly: ctx.readOnly });
  for (const [path, names] of temp) {
    for (const n of options.censor ? [CENSORED] : names) addRoot(roots, path, n);
  }
  return new Map([...roots].map(([p, names]) => [p, [...names].sort()]));
}

/** `--print-roots` lines: `<root name> -> <store path>`, sorted by name, then path. */
export function printRoots(roots: ReadonlyMap<string, readonly string[]>): string[] {
  const pairs: [string, string][] = [];
  for (const [path, names] of roots) for (const n of names) pairs.push([n, path]);
  pairs.sort(([a, p], [b, q]) => (a < b ? -1 : a > b ? 1 : p < q ? -1 : p > q ? 1 : 0));
  return pairs.map(([n, p]) => `${n} -> ${p}`);
}

/** Creates `link` → `target` atomically (a temporary link renamed over it), parents first. */
function makeSymlink(link: string, target: string): void {
  mkdirSync(dirname(link), { recursive: true });
  const temp = `${link}.tmp-${process.pid}-${randomBytes(4).readUInt32BE() >>> 1}`;
  try {
    symlinkSync(target, temp);
  } catch (e) {
    throw ioError('creating symlink to', target, e);
  }
  try {
    renameSync(temp, link);
  } catch (e) {
    throw ioError(`cannot rename '${temp}' to`, link, e);
  }
}

/** `state/gcroots/auto/<nix32(sha1(link))>`, the indirect root for `link`. */
export function indirectRootPath(ctx: Pick<LocalStoreContext, 'locations'>, link: string): string {
  const hash = encodeBase32(createHash('sha1').update(link).digest());
  return `${ctx.locations.stateDir}/gcroots/auto/${hash}`;
}

/** Registers `link` (absolute, canonical) as an indirect root: `gcroots/auto/<h>` → `link`. */
export function addIndirectRoot(ctx: Pick<LocalStoreContext, 'locations'>, link: string): void {
  makeSymlink(indirectRootPath(ctx, link), link);
}

/**
 * `--add-root`: makes `link` a symlink to `storePath` and registers it as an indirect root;
 * returns the canonical link path. Refused inside the store (`creating a garbage collector
 * root (<link>) in the Nix store is forbidden …`) and when something other than a symlink into
 * the store is in the way (`cannot create symlink '<link>'; already exists`).
 */
export async function addPermRoot(
  ctx: LocalStoreContext,
  storePath: string,
  link: string,
): Promise<string> {
  const gcRoot = canonPath(resolve(link));
  if (isInStore(ctx.dir, gcRoot)) {
    throw strataError('STRATA_ERR_LOCAL_GC_ROOT_IN_STORE', { link: gcRoot });
  }
  ctx.dir.parsePath(storePath);
  // Protect the path from a collector that is already running (it does not see the new link).
  await ctx.addTempRoot(storePath);
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(gcRoot);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') throw e;
  }
  if (existing && (!existing.isSymbolicLink() || !isInStore(ctx.dir, readlinkSync(gcRoot)))) {
    throw strataError('STRATA_ERR_LOCAL_GC_ROOT_EXISTS', { link: gcRoot });
  }
  makeSymlink(gcRoot, storePath);
  addIndirectRoot(ctx, gcRoot);
  return gcRoot;
}
