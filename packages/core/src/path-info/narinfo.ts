/**
 * `.narinfo` files of binary caches (spec store-format §8): parsing with Nix 2.8's rules and
 * writing byte for byte what Nix 2.8 writes.
 *
 * Each record is `<Key>: <value>\n`. As in Nix, a record's key runs to the next `:` and its
 * value starts two characters after it and runs to the next `\n` (so `Key:\n` swallows the
 * following line). Unknown keys are ignored; required are `StorePath`, `NarHash`, `URL` and a
 * non-zero `NarSize`. Failures read `NAR info file '<whence>' is corrupt: <reason>`, with
 * master's reasons and record numbers (`… at line <n>`). Bad store paths and content addresses
 * fail with their own errors, as in Nix.
 *
 * @example
 *   const info = parseNarInfo(text, storeDir, 'x43i5lpkpmbhikzy8z64fz4hpqjsa008.narinfo');
 *   renderNarInfo(info, storeDir) === text; // for every file Nix 2.8 writes
 */
import { type ErrorCode, isStrataError, strataError } from '../errors.js';
import type { Hash } from '../hash/hash.js';
import { parseHash } from '../hash/parse.js';
import { parseContentAddress, renderContentAddress } from '../store-path/content-address.js';
import type { StoreDir } from '../store-path/store-dir.js';
import { parseStorePathBaseName } from '../store-path/store-path.js';
import { type PathInfo, sortedReferences, sortedSignatures } from './path-info.js';

/** A path info as a binary cache describes it: where its (compressed) NAR is, and how big. */
export interface NarInfo extends PathInfo {
  /** Location of the NAR file relative to the cache, e.g. `nar/<nix32>.nar.xz`. */
  url: string;
  /** `xz`, `bzip2`, `zstd`, `none`, …; `bzip2` when the file does not say. */
  compression: string;
  /** Hash of the NAR file as stored (after compression). */
  fileHash?: Hash;
  /** Size in bytes of the NAR file as stored. */
  fileSize?: number;
  /** The system the object was built for, when the cache says (Nix 2.8 `System:`). */
  system?: string;
}

/** Hash errors that make Nix report the narinfo as corrupt (its `BadHash`); others propagate. */
const BAD_HASH_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'STRATA_ERR_HASH_BAD_BASE16',
  'STRATA_ERR_HASH_BAD_BASE32',
  'STRATA_ERR_HASH_BAD_BASE64',
  'STRATA_ERR_HASH_BAD_SRI',
  'STRATA_ERR_HASH_MISSING_TYPE',
  'STRATA_ERR_HASH_WRONG_LENGTH',
  'STRATA_ERR_HASH_WRONG_TYPE',
]);

/**
 * Nix's `string2Int<uint64_t>` (boost `lexical_cast`): an optional `+`, then decimal digits,
 * nothing else. Sizes beyond 2^53 − 1 cannot be held exactly and are refused too.
 */
function parseSize(value: string): number | undefined {
  if (!/^\+?[0-9]+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parses a narinfo file. `whence` names it in errors (Nix uses `<hashPart>.narinfo`);
 * references and the deriver, written as base names, are expanded with `storeDir`.
 */
export function parseNarInfo(text: string, storeDir: StoreDir, whence: string): NarInfo {
  let line = 1;
  const corrupt = (reason: string, atLine = true) =>
    strataError('STRATA_ERR_NARINFO_CORRUPT', {
      whence,
      reason: atLine ? `${reason} at line ${line}` : reason,
    });
  const parseHashField = (value: string): Hash => {
    try {
      return parseHash(value);
    } catch (e) {
      if (isStrataError(e) && BAD_HASH_CODES.has(e.code)) throw corrupt('bad hash');
      throw e;
    }
  };
  const parseBaseName = (base: string) => storeDir.print(parseStorePathBaseName(base));

  let path: string | undefined;
  let url = '';
  let compression = '';
  let fileHash: Hash | undefined;
  let fileSize: number | undefined;
  let narHash: Hash | undefined;
  let narSize = 0;
  let references: string[] = [];
  let deriver: string | undefined;
  let system: string | undefined;
  const sigs: string[] = [];
  let ca: NarInfo['ca'];

  let pos = 0;
  while (pos < text.length) {
    const colon = text.indexOf(':', pos);
    if (colon < 0) throw corrupt("expecting ':'");
    const name = text.slice(pos, colon);
    const eol = text.indexOf('\n', colon + 2);
    if (eol < 0) throw corrupt("expecting '\\n'");
    const value = text.slice(colon + 2, eol);

    switch (name) {
      case 'StorePath':
        path = storeDir.print(storeDir.parsePath(value));
        break;
      case 'URL':
        url = value;
        break;
      case 'Compression':
        compression = value;
        break;
      case 'FileHash':
        fileHash = parseHashField(value);
        break;
      case 'FileSize':
        fileSize = parseSize(value);
        if (fileSize === undefined) throw corrupt('invalid FileSize');
        break;
      case 'NarHash':
        narHash = parseHashField(value);
        break;
      case 'NarSize': {
        const n = parseSize(value);
        if (n === undefined) throw corrupt('invalid NarSize');
        narSize = n;
        break;
      }
      case 'References': {
        const refs = value.split(' ').filter((r) => r !== '');
        // Nix only notices a second References line when the first one listed something.
        if (references.length > 0) throw corrupt('extra References');
        references = refs.map(parseBaseName);
        break;
      }
      case 'Deriver':
        if (value !== 'unknown-deriver') deriver = parseBaseName(value);
        break;
      case 'System':
        system = value;
        break;
      case 'Sig':
        sigs.push(value);
        break;
      case 'CA':
        // Likewise, an empty first CA line does not count.
        if (ca !== undefined) throw corrupt('extra CA');
        ca = value === '' ? undefined : parseContentAddress(value);
        break;
    }
    pos = eol + 1;
    line += 1;
  }

  if (compression === '') compression = 'bzip2';
  if (path === undefined) throw corrupt('StorePath missing', false);
  if (narHash === undefined) throw corrupt('NarHash missing', false);
  if (url === '') throw corrupt('URL missing', false);
  if (narSize === 0) throw corrupt('NarSize missing or zero', false);

  const info: NarInfo = {
    path,
    url,
    compression,
    narHash,
    narSize,
    references: sortedReferences(references),
    sigs: sortedSignatures(sigs),
  };
  if (fileHash !== undefined) info.fileHash = fileHash;
  if (fileSize !== undefined) info.fileSize = fileSize;
  if (deriver !== undefined) info.deriver = deriver;
  if (system !== undefined) info.system = system;
  if (ca !== undefined) info.ca = ca;
  return info;
}

/**
 * Writes `info` as Nix 2.8 does: StorePath, URL, Compression, FileHash, FileSize, NarHash,
 * NarSize, References (base names; `References: ` with a trailing space when empty), Deriver,
 * System, one Sig line per signature (sorted), CA. FileHash and FileSize are left out when
 * unknown (Nix 2.8 always knows them; master leaves them out too).
 */
export function renderNarInfo(info: NarInfo, storeDir: StoreDir): string {
  const baseName = (p: string) => storeDir.parsePath(p).baseName;
  let out = `StorePath: ${info.path}\n`;
  out += `URL: ${info.url}\n`;
  out += `Compression: ${info.compression === '' ? 'bzip2' : info.compression}\n`;
  if (info.fileHash !== undefined) out += `FileHash: ${info.fileHash.toString('base32', true)}\n`;
  if (info.fileSize !== undefined) out += `FileSize: ${info.fileSize}\n`;
  out += `NarHash: ${info.narHash.toString('base32', true)}\n`;
  out += `NarSize: ${info.narSize}\n`;
  out += `References: ${sortedReferences(info.references).map(baseName).join(' ')}\n`;
  if (info.deriver !== undefined) out += `Deriver: ${baseName(info.deriver)}\n`;
  if (info.system !== undefined && info.system !== '') out += `System: ${info.system}\n`;
  for (const sig of sortedSignatures(info.sigs)) out += `Sig: ${sig}\n`;
  if (info.ca !== undefined) out += `CA: ${renderContentAddress(info.ca)}\n`;
  return out;
}

/** The file a binary cache keeps the narinfo of `path` in: `<hashPart>.narinfo`. */
export function narInfoFileName(path: string, storeDir: StoreDir): string {
  return `${storeDir.parsePath(path).hashPart}.narinfo`;
}
