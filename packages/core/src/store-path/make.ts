/**
 * Computing store paths (spec store-format §2.2–§2.3): every kind is
 * `compressHash(sha256("<type>:sha256:<hex inner hash>:<storeDir>:<name>"), 20)` in Nix32,
 * followed by `-<name>`; the kinds differ in type and inner hash.
 *
 * @example
 *   const dir = new StoreDir();
 *   makeTextPath('hello.txt', hashBytes('sha256', 'Hello, world!\n'), [], dir);
 *   // → i3vl5f9f521bladwcs3zi5gmc1pd6qr6-hello.txt  (builtins.toFile)
 *   makeFixedOutputPath('hello.txt', { method: 'flat', hash }, [], false, dir);
 *   // → 6g99pcrpapn5x08wpcyiq20wj4qgml24-hello.txt  (nix-store --add-fixed sha256)
 */
import { strataError } from '../errors.js';
import { encodeBase32 } from '../hash/base32.js';
import { compressHash, type Hash } from '../hash/hash.js';
import { hashBytes } from '../hash/hasher.js';
import type { StoreDir } from './store-dir.js';
import { StorePath, sortStorePaths, validateStorePathName } from './store-path.js';

/** How a fixed-output object's contents are hashed: its bytes, or its NAR. */
export type FileIngestionMethod = 'flat' | 'recursive';

/** A fixed-output content address: the method and the content hash. */
export interface FixedOutputHash {
  readonly method: FileIngestionMethod;
  readonly hash: Hash;
}

function requireSha256(hash: Hash): void {
  if (hash.algorithm !== 'sha256') {
    throw strataError('STRATA_ERR_HASH_WRONG_TYPE', {
      text: hash.toString('base32'),
      algo: 'sha256',
    });
  }
}

/** The string whose SHA-256 gives a store path: `<type>:<algo>:<hex>:<storeDir>:<name>`. */
export function storePathFingerprint(
  type: string,
  innerHash: Hash,
  name: string,
  storeDir: StoreDir,
): string {
  return `${type}:${innerHash.toString('base16')}:${storeDir.path}:${name}`;
}

/**
 * The store path of `name` for a `type` and inner hash: Nix's `Store::makeStorePath`.
 * Fails with Nix's messages when `name` is not a valid store-path name.
 */
export function makeStorePath(
  type: string,
  innerHash: Hash,
  name: string,
  storeDir: StoreDir,
): StorePath {
  const fingerprint = storePathFingerprint(type, innerHash, name, storeDir);
  const hashPart = encodeBase32(compressHash(hashBytes('sha256', fingerprint).bytes, 20));
  const base = `${hashPart}-${name}`;
  validateStorePathName(name, base, `${storeDir.path}/${base}`);
  // The hash part is ours and the name was just validated: no need to parse again.
  return StorePath.fromValidBaseName(base);
}

/**
 * The type of a `text` or `source` path: `<base>` followed by `:<full path>` for every
 * reference, sorted by base name, and `:self` when `hasSelfReference`.
 */
export function makeStorePathType(
  base: 'text' | 'source',
  references: Iterable<StorePath>,
  hasSelfReference: boolean,
  storeDir: StoreDir,
): string {
  let type: string = base;
  for (const ref of sortStorePaths(references)) type += `:${storeDir.print(ref)}`;
  if (hasSelfReference) type += ':self';
  return type;
}

/**
 * The path of a `text` object (`builtins.toFile`, `.drv` files): the SHA-256 of its contents
 * and the paths it refers to, never itself.
 */
export function makeTextPath(
  name: string,
  contentHash: Hash,
  references: Iterable<StorePath>,
  storeDir: StoreDir,
): StorePath {
  if (contentHash.algorithm !== 'sha256') {
    throw strataError('STRATA_ERR_CA_TEXT_NOT_SHA256', { algo: contentHash.algorithm });
  }
  return makeStorePath(
    makeStorePathType('text', references, false, storeDir),
    contentHash,
    name,
    storeDir,
  );
}

/**
 * The path of a `source` object (`nix-store --add`, recursive SHA-256 content address): the
 * SHA-256 of its NAR (or, when it refers to itself, the hash modulo self), its references
 * other than itself, and whether it refers to itself.
 */
export function makeSourcePath(
  name: string,
  narHash: Hash,
  references: Iterable<StorePath>,
  hasSelfReference: boolean,
  storeDir: StoreDir,
): StorePath {
  requireSha256(narHash);
  return makeStorePath(
    makeStorePathType('source', references, hasSelfReference, storeDir),
    narHash,
    name,
    storeDir,
  );
}

/**
 * The inner hash of a fixed-output path that is not `source`:
 * `sha256("fixed:out:" + ("r:" if recursive) + "<algo>:<hex>" + ":")`.
 */
export function fixedOutputInnerHash({ method, hash }: FixedOutputHash): Hash {
  const prefix = method === 'recursive' ? 'r:' : '';
  return hashBytes('sha256', `fixed:out:${prefix}${hash.toString('base16')}:`);
}

/**
 * The path of a fixed-output object or derivation output (Nix's `makeFixedOutputPath`):
 * recursive SHA-256 is a `source` path; everything else is `output:out` over
 * `fixedOutputInnerHash`, and may have neither references nor a self-reference
 * (`fixed-output path '<p>' cannot have references`).
 */
export function makeFixedOutputPath(
  name: string,
  ca: FixedOutputHash,
  references: Iterable<StorePath>,
  hasSelfReference: boolean,
  storeDir: StoreDir,
): StorePath {
  if (ca.method === 'recursive' && ca.hash.algorithm === 'sha256') {
    return makeSourcePath(name, ca.hash, references, hasSelfReference, storeDir);
  }
  const path = makeStorePath('output:out', fixedOutputInnerHash(ca), name, storeDir);
  if (hasSelfReference || [...references].length > 0) {
    throw strataError('STRATA_ERR_CA_REFERENCES_NOT_ALLOWED', { path: storeDir.print(path) });
  }
  return path;
}

/**
 * The path of output `outputName` of an input-addressed derivation named `drvName`, from its
 * `hashDerivationModulo` (SHA-256): type `output:<outputName>`, name `drvName` for `out` and
 * `drvName-<outputName>` otherwise.
 */
export function makeOutputPath(
  outputName: string,
  drvHashModulo: Hash,
  drvName: string,
  storeDir: StoreDir,
): StorePath {
  requireSha256(drvHashModulo);
  const name = outputName === 'out' ? drvName : `${drvName}-${outputName}`;
  return makeStorePath(`output:${outputName}`, drvHashModulo, name, storeDir);
}
