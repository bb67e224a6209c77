/**
 * Opening the store a command works on (see `openCommandStore`) and turning command-line
 * arguments into store paths the way Nix's `followLinksToStorePath` does: relative paths are
 * taken from the current directory, symlinks outside the store (`./result`) are followed until
 * the path lies in the store, and a path inside an object names the object.
 *
 * @example
 *   await withStore(ctx, async (store) => {
 *     const path = await resolveStorePathArg(ctx, store, './result');  // '/nix/store/…-hello'
 *   });
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Store } from '@strata/core';
import { ioError } from '@strata/core/io-error';
import { canonPath, dirOf, StoreDir } from '@strata/core/store-path';
import type { CliContext } from './context.js';
import { loadStoreEnvironment, openCommandStore, type StoreEnvironment } from './store-registry.js';

/**
 * Opens the store at `url`, or without one the command's store (`--store`, the configured
 * `store`, else the embedded default store).
 */
export async function openStore(ctx: CliContext, url?: string): Promise<Store> {
  if (url === undefined) return (await openCommandStore(ctx)).store;
  const { registry, openOptions } = await loadStoreEnvironment(ctx);
  return registry.openStore(url, openOptions);
}

/**
 * Runs `fn` with the command's store open, closing it afterwards (also on failure). `fn` also
 * gets the loaded configuration, for the global settings a command obeys itself.
 */
export async function withStore<T>(
  ctx: CliContext,
  fn: (store: Store, environment: StoreEnvironment) => Promise<T>,
): Promise<T> {
  const { store, environment } = await openCommandStore(ctx);
  try {
    return await fn(store, environment);
  } finally {
    await store.close();
  }
}

/** Nix's `absPath`: `path` made absolute against `dir` and canonicalised (no symlinks read). */
function absPath(path: string, dir: string): string {
  return canonPath(path.startsWith('/') ? path : `${dir}/${path}`);
}

/**
 * Nix's `followLinksToStore`: the absolute form of `arg`, with symlinks followed while it lies
 * outside the store. Fails with `path '…' is not in the Nix store` when it never gets there, or
 * with `getting status of '…'` when a path on the way does not exist.
 */
export function followLinksToStore(storeDir: string, arg: string, cwd: string): string {
  const dir = new StoreDir(storeDir);
  let path = absPath(arg, cwd);
  // A chain of links longer than the kernel's limit is a loop; stop as the kernel would.
  for (let hops = 0; !dir.isInStore(path) && hops < 40; hops++) {
    let isLink: boolean;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch (e) {
      throw ioError('getting status of', path, e);
    }
    if (!isLink) break;
    path = absPath(readlinkSync(path), dirOf(path));
  }
  return path;
}

/**
 * The store path an argument names (Nix's `followLinksToStorePath`): store paths as they are,
 * paths inside objects as their object, symlinks into the store followed. The path need not
 * be valid; see {@link resolveValidStorePathArg}.
 */
export function resolveStorePathArg(ctx: CliContext, store: Store, arg: string): string {
  const dir = new StoreDir(store.storeDir);
  const path = followLinksToStore(store.storeDir, arg, ctx.cwd);
  return dir.print(dir.toStorePath(path).storePath);
}

/** Like {@link resolveStorePathArg}, then fails with `path '…' is not valid` unless it is. */
export async function resolveValidStorePathArg(
  ctx: CliContext,
  store: Store,
  arg: string,
): Promise<string> {
  const path = resolveStorePathArg(ctx, store, arg);
  // queryPathInfo raises the store's own `path '…' is not valid`.
  await store.queryPathInfo(path);
  return path;
}

/** A local file argument as Nix names it in messages: as given when it resolves the same. */
export function localPathArg(ctx: CliContext, path: string): string {
  return ctx.cwd === process.cwd() ? path : resolve(ctx.cwd, path);
}
