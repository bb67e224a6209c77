/**
 * Content addresses (`ca` column, narinfo `CA:`, daemon protocol; spec store-format §2.4):
 * `text:sha256:<nix32>` or `fixed:[r:]<algo>:<nix32>`, parsed with Nix 2.8's messages, and the
 * store path a content address implies.
 *
 * @example
 *   const ca = parseContentAddress('fixed:r:sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq');
 *   renderContentAddress(ca!);  // the same string
 *   storePathForContentAddress('hello.txt', ca!, [], new StoreDir());
 *   // → xrabnx1r49hn890prhx86h6iyn19p976-hello.txt
 */
import { strataError } from '../errors.js';
import { parseHashAlgorithm } from '../hash/algorithm.js';
import type { Hash } from '../hash/hash.js';
import { parseHashUnprefixed } from '../hash/parse.js';
import { type FileIngestionMethod, makeFixedOutputPath, makeTextPath } from './make.js';
import type { StoreDir } from './store-dir.js';
import type { StorePath } from './store-path.js';

/** A content address: a text hash (always SHA-256) or a fixed-output hash. */
export type ContentAddress =
  | { readonly method: 'text'; readonly hash: Hash }
  | { readonly method: FileIngestionMethod; readonly hash: Hash };

/** Splits `s` at its first `:`; undefined when there is none. */
function splitAtColon(s: string): [string, string] | undefined {
  const i = s.indexOf(':');
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Parses a content address with Nix 2.8's rules and messages; the empty string means "no
 * content address" and gives `undefined`. The hash digits are read by length for the
 * algorithm (base16 and base64 are accepted too; writers use Nix32).
 */
export function parseContentAddress(s: string): ContentAddress | undefined {
  if (s === '') return undefined;
  const first = splitAtColon(s);
  if (first === undefined) throw strataError('STRATA_ERR_CA_BAD_FORM', { ca: s });
  const [prefix, afterPrefix] = first;
  let rest = afterPrefix;
  let method: ContentAddress['method'];
  if (prefix === 'text') {
    method = 'text';
  } else if (prefix === 'fixed') {
    method = 'flat';
    if (rest.startsWith('r:')) {
      method = 'recursive';
      rest = rest.slice(2);
    }
  } else {
    throw strataError('STRATA_ERR_CA_BAD_PREFIX', { prefix });
  }
  const second = splitAtColon(rest);
  // Nix 2.8 quotes the whole content address here, not just the part after the prefix.
  if (second === undefined) throw strataError('STRATA_ERR_CA_BAD_HASH_FORM', { rest: s });
  const algorithm = parseHashAlgorithm(second[0]);
  if (method === 'text' && algorithm !== 'sha256') {
    throw strataError('STRATA_ERR_CA_TEXT_NOT_SHA256', { algo: algorithm });
  }
  return { method, hash: parseHashUnprefixed(second[1], algorithm) };
}

/** Renders a content address the way Nix writes it: `<prefix>:<algo>:<nix32>`. */
export function renderContentAddress(ca: ContentAddress): string {
  const prefix = ca.method === 'text' ? 'text:' : ca.method === 'recursive' ? 'fixed:r:' : 'fixed:';
  return prefix + ca.hash.toString('base32');
}

/**
 * The store path that `ca`, `name` and `references` (not including the object itself) imply:
 * `text` → a text path; `fixed:r:sha256` → a source path (with `:self` when
 * `hasSelfReference`); any other fixed → `output:out`, which may have no references.
 * Fails when the content address cannot have those references: a text object referring to
 * itself, or a non-source fixed-output object with references.
 */
export function storePathForContentAddress(
  name: string,
  ca: ContentAddress,
  references: Iterable<StorePath>,
  storeDir: StoreDir,
  hasSelfReference = false,
): StorePath {
  if (ca.method === 'text') {
    const path = makeTextPath(name, ca.hash, references, storeDir);
    if (hasSelfReference) {
      throw strataError('STRATA_ERR_CA_TEXT_SELF_REFERENCE', { path: storeDir.print(path) });
    }
    return path;
  }
  return makeFixedOutputPath(
    name,
    { method: ca.method, hash: ca.hash },
    references,
    hasSelfReference,
    storeDir,
  );
}

/** What `isContentAddressed` needs of a path info. */
export interface ContentAddressedCandidate {
  readonly path: StorePath;
  readonly ca?: ContentAddress | undefined;
  readonly references: Iterable<StorePath>;
}

/**
 * True when `info` has a content address and the path that content address implies (with its
 * name and references; a reference to itself counts as `:self` for fixed-output objects) is
 * `info.path`: Nix's `ValidPathInfo::isContentAddressed`. Never throws: a content address that
 * cannot have these references is simply not satisfied.
 */
export function isContentAddressed(info: ContentAddressedCandidate, storeDir: StoreDir): boolean {
  const { ca, path } = info;
  if (ca === undefined) return false;
  const refs = [...info.references];
  let hasSelfReference = false;
  let others = refs;
  // Nix removes the self-reference only for fixed-output content addresses; a text object
  // listing itself keeps it among its references and so can never match.
  if (ca.method !== 'text') {
    others = refs.filter((r) => !r.equals(path));
    hasSelfReference = others.length !== refs.length;
  }
  try {
    return storePathForContentAddress(path.name, ca, others, storeDir, hasSelfReference).equals(
      path,
    );
  } catch {
    return false;
  }
}
