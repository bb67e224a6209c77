/**
 * Adding a file or tree from the local file system to any store that can import NARs, the way
 * `nix-store --add` / `--add-fixed` do: hash the contents (the NAR for `recursive`, the bytes
 * for `flat`), compute the fixed-output path, and stream the NAR into `addNar`. The source is
 * read twice (hash, then import) instead of being held in memory; a change in between is
 * caught by the store's NAR hash check.
 *
 * @example
 *   await addPathToStore(store, './src', { name: 'src' });          // like nix-store --add
 *   await addPathToStore(store, './f', { method: 'flat' });          // like --add-fixed sha256
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { strataError } from '../errors.js';
import type { Hash } from '../hash/hash.js';
import { createHasher, hashFile } from '../hash/hasher.js';
import type { NarEvent } from '../nar/events.js';
import { dumpPath, narHashOfPath } from '../nar/fs/dump.js';
import { writeNar } from '../nar/write.js';
import { makePathInfo, type PathInfo } from '../path-info/path-info.js';
import { makeFixedOutputPath } from '../store-path/make.js';
import { StoreDir } from '../store-path/store-dir.js';
import type { AddToStoreOptions, ByteStream, Store } from './types.js';

async function* flatFileEvents(path: string, size: number): AsyncGenerator<NarEvent> {
  yield { type: 'regular', executable: false, size };
  for await (const chunk of createReadStream(path))
    yield { type: 'contents', data: chunk as Buffer };
  yield { type: 'regular-end' };
}

/** Adds `source` to `store` through `store.addNar`; returns the path info. */
export async function addPathToStore(
  store: Store,
  source: string,
  options: AddToStoreOptions = {},
): Promise<PathInfo> {
  const path = resolve(source);
  const method = options.method ?? 'recursive';
  const algorithm = options.hashAlgorithm ?? 'sha256';
  const name = options.name ?? basename(path);
  const dir = new StoreDir(store.storeDir);
  let caHash: Hash;
  let nar: () => ByteStream;
  let narHashAndSize: { hash: Hash; size: number } | undefined;
  if (method === 'flat') {
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) {
      throw strataError('STRATA_ERR_IO_FAILED', {
        op: 'reading file',
        path,
        reason: st ? 'Is a directory' : 'No such file or directory',
      });
    }
    caHash = await hashFile(algorithm, path);
    nar = () => writeNar(flatFileEvents(path, st.size));
  } else {
    const r = await narHashOfPath(path, algorithm);
    caHash = r.hash;
    if (algorithm === 'sha256') narHashAndSize = r;
    nar = () => dumpPath(path);
  }
  const references = options.references ?? [];
  const storePath = dir.print(
    makeFixedOutputPath(
      name,
      { method, hash: caHash },
      references.map((r) => dir.parsePath(r)),
      false,
      dir,
    ),
  );
  if (!options.repair && (await store.isValidPath(storePath))) {
    return store.queryPathInfo(storePath);
  }
  const { hash: narHash, size: narSize } = narHashAndSize ?? (await hashNar(nar()));
  const info = makePathInfo({
    path: storePath,
    narHash,
    narSize,
    references,
    ca: { method, hash: caHash },
  });
  await store.addNar(info, nar(), options.repair ? { repair: true } : {});
  return info;
}

async function hashNar(nar: ByteStream): Promise<{ hash: Hash; size: number }> {
  const hasher = createHasher('sha256');
  for await (const chunk of nar) hasher.update(chunk);
  return { hash: hasher.digest(), size: hasher.size };
}
