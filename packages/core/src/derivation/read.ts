/**
 * Reading a derivation out of any store: the `.drv` file's bytes come from its NAR, so this
 * works the same for local, overlay and remote stores.
 *
 * @example
 *   const drv = await readDerivation(store, '/nix/store/…-hello.drv', { requireCaDerivations });
 */
import { catNar } from '../nar/listing.js';
import type { Store } from '../store/types.js';
import { StoreDir } from '../store-path/store-dir.js';
import { type Derivation, type ParseDerivationOptions, parseDerivation } from './derivation.js';

/** The derivation stored at `drvPath` (which must be valid in `store`), parsed as Nix does. */
export async function readDerivation(
  store: Store,
  drvPath: string,
  options: ParseDerivationOptions = {},
): Promise<Derivation> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of catNar(store.narFromPath(drvPath), '')) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return parseDerivation(text, drvPath, new StoreDir(store.storeDir), options);
}
