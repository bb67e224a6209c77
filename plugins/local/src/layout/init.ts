/**
 * The on-disk layout of a local store, created as Nix 2.8 creates it (spec store-format §5.2),
 * so that Nix sees a store Strata made as one of its own: the store dir (root-owned, group
 * `build-users-group`, mode 01775 when running as root and the group exists), `.links`, the
 * state dir with `db/`, `gcroots/` (and the `gcroots/profiles` symlink when `gcroots/` is new),
 * `profiles/`, the per-user dirs of the invoking user, `temproots/`, `db/big-lock` and
 * `db/reserved` (`gc-reserved-space` bytes, for the collector to free when the disk is full).
 *
 * It runs before the first write only: opening a store to read creates nothing.
 *
 * @example
 *   createStoreLayout(locations, globals, { warn: console.warn });
 */
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { strataError } from '@strata/core/errors';
import { ioError } from '@strata/core/io-error';
import type { LocalGlobals } from '../settings.js';
import type { StoreLocations } from './locations.js';

function mkdir(path: string, mode = 0o755): boolean {
  try {
    return mkdirSync(path, { recursive: true, mode }) !== undefined;
  } catch (e) {
    throw ioError('creating directory', path, e);
  }
}

/** The gid of group `name` from /etc/group, or undefined. */
function groupId(name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/group', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [g, , gid] = line.split(':');
    if (g === name && gid !== undefined) return Number.parseInt(gid, 10);
  }
  return undefined;
}

/**
 * Fails with Nix's message when the real store dir or one of its parents is a symlink (unless
 * `allow-symlinked-store`); checks only what exists.
 */
export function checkNoSymlinkedStore(realStoreDir: string, globals: LocalGlobals): void {
  if (globals.allowSymlinkedStore) return;
  for (let p = realStoreDir; ; p = dirname(p)) {
    let st: ReturnType<typeof lstatSync> | undefined;
    try {
      st = lstatSync(p);
    } catch (e) {
      // Missing (created later), or below a file: the file is found further up.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    if (st?.isSymbolicLink()) throw strataError('STRATA_ERR_LOCAL_SYMLINKED_STORE', { path: p });
    // As Nix's createDirs words it, for a store root that is a file.
    if (st !== undefined && !st.isDirectory()) {
      throw strataError('STRATA_ERR_LOCAL_NOT_A_DIRECTORY', { path: p });
    }
    if (p === '/') return;
  }
}

/** What `createStoreLayout` reports. */
export interface LayoutOptions {
  readonly warn: (message: string) => void;
  /** Effective uid (default: this process's). */
  readonly uid?: number;
}

/** Creates whatever is missing of the layout; idempotent. */
export function createStoreLayout(
  loc: StoreLocations,
  globals: LocalGlobals,
  options: LayoutOptions,
): void {
  const uid = options.uid ?? process.geteuid?.() ?? 0;
  checkNoSymlinkedStore(loc.realStoreDir, globals);
  mkdir(loc.stateDir);
  mkdir(loc.dbDir);
  try {
    accessSync(loc.dbDir, constants.W_OK);
  } catch {
    throw strataError('STRATA_ERR_LOCAL_DB_DIR_NOT_WRITABLE', { dir: loc.dbDir });
  }
  const gcroots = join(loc.stateDir, 'gcroots');
  const profiles = join(loc.stateDir, 'profiles');
  if (!existsSync(gcroots)) {
    mkdir(gcroots);
    try {
      symlinkSync(profiles, join(gcroots, 'profiles'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw ioError('creating symlink', join(gcroots, 'profiles'), e);
    }
  }
  const user = userName(uid);
  for (const base of [profiles, gcroots]) {
    const perUser = join(base, 'per-user');
    mkdir(perUser);
    setMode755(perUser);
    if (user !== undefined) {
      const mine = join(perUser, user);
      mkdir(mine);
      setMode755(mine);
    }
  }
  mkdir(join(loc.stateDir, 'temproots'));

  mkdir(loc.realStoreDir);
  if (uid === 0 && globals.buildUsersGroup !== '') {
    const gid = groupId(globals.buildUsersGroup);
    if (gid === undefined) {
      options.warn(
        `the group '${globals.buildUsersGroup}' specified in 'build-users-group' does not exist`,
      );
    } else {
      const st = statSync(loc.realStoreDir);
      if (st.uid !== 0 || st.gid !== gid || (st.mode & 0o7777) !== 0o1775) {
        chownSync(loc.realStoreDir, 0, gid);
        chmodSync(loc.realStoreDir, 0o1775);
      }
    }
  }
  mkdir(join(loc.realStoreDir, '.links'));

  const bigLock = join(loc.dbDir, 'big-lock');
  try {
    closeSync(openSync(bigLock, constants.O_RDWR | constants.O_CREAT, 0o600));
  } catch (e) {
    throw ioError('opening lock file', bigLock, e);
  }
  ensureReserved(join(loc.dbDir, 'reserved'), globals.gcReservedSpace);
}

/** Makes `dir` mode 0755 when it is not (only its owner may change it). */
function setMode755(dir: string): void {
  try {
    if ((statSync(dir).mode & 0o7777) === 0o755) return;
    chmodSync(dir, 0o755);
  } catch (e) {
    throw ioError('setting mode 0755 on', dir, e);
  }
}

function userName(uid: number): string | undefined {
  if (uid === 0) return 'root';
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** `db/reserved`: space the collector can give back to SQLite on a full disk (§9.4). */
export function ensureReserved(path: string, size: bigint): void {
  const total = Number(size);
  let had = 0;
  try {
    had = statSync(path).size;
    if (had === total) return;
  } catch {}
  // All or nothing, as Nix's posix_fallocate: on a disk without room for the reserve, taking
  // what is left would leave no space at all, not even for the collector.
  try {
    const fs = statfsSync(dirname(path));
    if (fs.bavail * fs.bsize < total - had) return;
  } catch {
    return; // like Nix: the reserve is a nicety, not a requirement
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  } catch {
    return;
  }
  try {
    // Real blocks, as Nix's posix_fallocate gives: a sparse file would reserve nothing.
    const chunk = Buffer.alloc(Math.min(total, 1 << 20));
    for (let at = 0; at < total; at += chunk.length) {
      writeSync(fd, chunk, 0, Math.min(chunk.length, total - at), at);
    }
    ftruncateSync(fd, total);
  } catch {
    // The disk filled meanwhile: give back what was taken; the next open tries again.
    try {
      ftruncateSync(fd, had);
    } catch {}
  } finally {
    closeSync(fd);
  }
}
