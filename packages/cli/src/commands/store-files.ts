/**
 * What `strata ls` and `strata cat` share: splitting a path argument into the store object and
 * the path inside it, following symlinks on the way as the file system does for Nix's local
 * stores (`…/lib64/ld.so` with `lib64 -> lib`), and naming the whole path in "does not exist"
 * messages as Nix does.
 */
import type { Store } from '@strata/core';
import { isStrataError, strataError } from '@strata/core/errors';
import { listNar, type NarListingNode } from '@strata/core/nar';
import { canonPath, StoreDir } from '@strata/core/store-path';

/** Fails unless `storePath` is valid, in the words of Nix's file accessors. */
export async function requireValidObject(store: Store, storePath: string): Promise<void> {
  if (!(await store.isValidPath(storePath))) {
    throw strataError('STRATA_ERR_STORE_NOT_VALID_FOR_ACCESS', { path: storePath });
  }
}

/** Symlinks followed before giving up, as the kernel's limit (ELOOP). */
const MAX_SYMLINK_HOPS = 40;

/** A path resolved to the object it ends in, with that object's listing. */
export interface ResolvedStoreFile {
  readonly storePath: string;
  /** The path inside the object: `''` for the object itself, else `/a/b`. */
  readonly rest: string;
  readonly root: NarListingNode;
}

function child(node: NarListingNode, name: string): NarListingNode | undefined {
  if (node.type !== 'directory') return undefined;
  const bytes = Buffer.from(name, 'utf8');
  return node.entries.find((e) => Buffer.compare(Buffer.from(e.name), bytes) === 0)?.node;
}

/**
 * Resolves `arg` (a path in the store) to the object and the path inside it that it names,
 * following symlinks in the middle of the path (Nix's local stores read the file system), and
 * at its end with `followLast`: relative
 * targets inside the object, absolute ones (and `..` out of the object) into other valid
 * objects. A component that does not exist or a target outside the store fails with
 * `path '<arg>' does not exist`, more than 40 links with ELOOP's message, as on a local store.
 */
export async function resolveStoreFile(
  store: Store,
  arg: string,
  followLast: boolean,
): Promise<ResolvedStoreFile> {
  const dir = new StoreDir(store.storeDir);
  const listings = new Map<string, NarListingNode>();
  const open = async (storePath: string) => {
    let root = listings.get(storePath);
    if (root === undefined) {
      await requireValidObject(store, storePath);
      root = await listNar(store.narFromPath(storePath));
      listings.set(storePath, root);
    }
    return root;
  };
  const missing = () => strataError('STRATA_ERR_NAR_PATH_NOT_FOUND', { path: arg });
  let { storePath, rest } = storeObjectPath(store, arg);
  let root = await open(storePath);
  // The components as given: `..` after a symlink goes up from where the link led.
  const asGiven = arg.slice(dir.path.length + 1);
  const slash = asGiven.indexOf('/');
  let pending = (slash < 0 ? '' : asGiven.slice(slash)).split('/').filter((c) => c !== '');
  let done: string[] = [];
  let hops = 0;
  // Continues at an absolute path: another object, or this one from its top.
  const jump = async (absolute: string) => {
    const p = canonPath(absolute);
    if (!dir.isInStore(p)) throw missing();
    try {
      ({ storePath, rest } = storeObjectPath(store, p));
      root = await open(storePath);
    } catch (e) {
      // Not a store path, or not a valid one: on disk, there is nothing there.
      if (isStrataError(e)) throw missing();
      throw e;
    }
    pending = rest.split('/').filter((c) => c !== '');
    done = [];
  };
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      if (done.length > 0) done.pop();
      else await jump(`${dir.path}/${pending.join('/')}`);
      continue;
    }
    let node: NarListingNode | undefined = root;
    for (const c of [...done, name]) node = node === undefined ? undefined : child(node, c);
    if (node === undefined) throw missing();
    if (node.type === 'symlink' && (pending.length > 0 || followLast)) {
      if (++hops > MAX_SYMLINK_HOPS) {
        throw strataError('STRATA_ERR_IO_FAILED', {
          op: 'getting status of',
          path: arg,
          reason: 'Too many levels of symbolic links',
        });
      }
      const target = Buffer.from(node.target).toString('utf8');
      if (target.startsWith('/')) await jump(`${target}/${pending.join('/')}`);
      else pending = [...target.split('/').filter((c) => c !== ''), ...pending];
      continue;
    }
    done.push(name);
  }
  return { storePath, rest: done.length === 0 ? '' : `/${done.join('/')}`, root };
}

/** The object a path argument lies in and the rest of the path (`''` for the object itself). */
export function storeObjectPath(store: Store, arg: string): { storePath: string; rest: string } {
  const dir = new StoreDir(store.storeDir);
  // Nix checks the argument as given: a relative path is simply not in the store.
  if (!arg.startsWith('/') || !dir.isInStore(arg))
    throw strataError('STRATA_ERR_STORE_PATH_NOT_IN_STORE', { path: arg });
  const { storePath, rest } = dir.toStorePath(arg);
  return { storePath: dir.print(storePath), rest };
}

/** Runs `fn`, reporting NAR path errors with the full `path` rather than the part inside it. */
export function withFullPathErrors<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fullPathError(path, e);
  }
}

/** `e` with the full `path` when it is a NAR path error, else `e` itself. */
export function fullPathError(path: string, e: unknown): unknown {
  if (!isStrataError(e)) return e;
  if (e.code === 'STRATA_ERR_NAR_PATH_NOT_FOUND' || e.code === 'STRATA_ERR_NAR_PATH_NOT_IN_NAR')
    return strataError('STRATA_ERR_NAR_PATH_NOT_FOUND', { path });
  if (e.code === 'STRATA_ERR_NAR_PATH_NOT_REGULAR')
    return strataError('STRATA_ERR_NAR_PATH_NOT_REGULAR', { path });
  return e;
}
