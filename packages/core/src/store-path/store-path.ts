/**
 * `StorePath`: the base name `<hashPart>-<name>` of a store object, independent of any store
 * directory (spec store-format §2.1). `StoreDir` turns it into a full path and back.
 *
 * Validation follows Nix 2.8's order and messages, plus the rules master added that Strata
 * enforces on input (§13): a `-` must follow the hash part, and a name must not be `.` or `..`
 * or start with `.-` or `..-`.
 *
 * @example
 *   const p = parseStorePathBaseName('xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
 *   p.hashPart; // 'xrabnx1r49hn890prhx86h6iyn19p976'
 *   p.name;     // 'hello.txt'
 */
import { strataError } from '../errors.js';

/** Characters in a store-path hash part (160 bits in Nix32). */
export const STORE_PATH_HASH_LENGTH = 32;
/** Longest allowed name. */
export const STORE_PATH_MAX_NAME_LENGTH = 211;

/** A validated store-path base name. Compare with `equals`; sort with `compareStorePaths`. */
export class StorePath {
  /** `<hashPart>-<name>`. */
  readonly baseName: string;

  private constructor(baseName: string) {
    this.baseName = baseName;
  }

  /**
   * Wraps `baseName` WITHOUT checking it: only for base names already validated (by this
   * module, or read back from a store that only holds valid ones). Use
   * `parseStorePathBaseName` for anything else.
   */
  static fromValidBaseName(baseName: string): StorePath {
    return new StorePath(baseName);
  }

  /** The 32 Nix32 characters that identify the object. */
  get hashPart(): string {
    return this.baseName.slice(0, STORE_PATH_HASH_LENGTH);
  }

  /** The name after the `-`. */
  get name(): string {
    return this.baseName.slice(STORE_PATH_HASH_LENGTH + 1);
  }

  /** True for derivation files (`.drv`). */
  get isDerivation(): boolean {
    return this.baseName.endsWith('.drv');
  }

  /** Same base name. */
  equals(other: StorePath): boolean {
    return this.baseName === other.baseName;
  }

  /** The base name. */
  toString(): string {
    return this.baseName;
  }
}

/** Orders store paths by base name, byte-wise, as Nix's `StorePathSet` does. */
export function compareStorePaths(a: StorePath, b: StorePath): number {
  return a.baseName < b.baseName ? -1 : a.baseName > b.baseName ? 1 : 0;
}

/** Sorts store paths by base name and drops duplicates, giving Nix's `StorePathSet` order. */
export function sortStorePaths(paths: Iterable<StorePath>): StorePath[] {
  const sorted = [...paths].sort(compareStorePaths);
  return sorted.filter((p, i) => i === 0 || p.baseName !== sorted[i - 1].baseName);
}

/** A base name every check below accepts: hash part, `-`, 1–211 name characters, no leading dot. */
const PLAIN_VALID_BASE_NAME = /^[0-9a-df-np-sv-z]{32}-[0-9a-zA-Z+\-_?=][0-9a-zA-Z+\-._?=]{0,210}$/;

function isHashChar(code: number): boolean {
  // 0-9 and a-z except e, o, u, t.
  if (code >= 0x30 && code <= 0x39) return true;
  if (code < 0x61 || code > 0x7a) return false;
  return code !== 0x65 && code !== 0x6f && code !== 0x75 && code !== 0x74;
}

function isNameChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x2b /* + */ ||
    code === 0x2d /* - */ ||
    code === 0x2e /* . */ ||
    code === 0x5f /* _ */ ||
    code === 0x3f /* ? */ ||
    code === 0x3d /* = */
  );
}

/** True for the names master rejects: `.`, `..`, or a first dash-separated part `.`/`..`. */
function isDotName(name: string): boolean {
  const first = name.split('-', 1)[0];
  return first === '.' || first === '..';
}

function checkNameAsNix28(name: string, base: string): void {
  if (name.length === 0) throw strataError('STRATA_ERR_STORE_PATH_EMPTY_NAME', { base });
  // Nix counts bytes: a name with non-ASCII characters is measured in UTF-8.
  if (Buffer.byteLength(name, 'utf8') > STORE_PATH_MAX_NAME_LENGTH) {
    throw strataError('STRATA_ERR_STORE_PATH_NAME_TOO_LONG', { base });
  }
  for (let i = 0; i < name.length; i++) {
    if (!isNameChar(name.charCodeAt(i))) {
      const char = String.fromCodePoint(name.codePointAt(i) ?? 0);
      throw strataError('STRATA_ERR_STORE_PATH_BAD_NAME_CHAR', { base, char });
    }
  }
}

/**
 * Checks a store-path name: Nix 2.8's checks (empty, longer than 211 bytes, a character outside
 * `[0-9a-zA-Z+\-._?=]`, in that order, with 2.8's messages), then master's dot rule. Nix's
 * messages name the base name being built (`store path '<hash>-<name>' …`): pass it as `base`
 * when known, and the full path as `path` (named by the dot-rule message).
 */
export function validateStorePathName(name: string, base = name, path = base): void {
  checkNameAsNix28(name, base);
  if (isDotName(name)) throw strataError('STRATA_ERR_STORE_PATH_DOT_NAME', { path, name });
}

/**
 * Parses and validates a base name `<hashPart>-<name>`: first every check of Nix 2.8, in its
 * order and with its messages, then the checks only master makes (the `-` after the hash part,
 * the dot rule), so input that 2.8 rejects gets 2.8's message. `path` is what the dot-rule
 * message names (the full path when the caller has one).
 */
export function parseStorePathBaseName(base: string, path = base): StorePath {
  // Almost every base name is valid: one regular expression decides that before the checks
  // below, which only tell what is wrong, in Nix's order. (A name that starts with a dot
  // always takes the long way, for the dot rule.)
  if (PLAIN_VALID_BASE_NAME.test(base)) return StorePath.fromValidBaseName(base);
  if (base.length < STORE_PATH_HASH_LENGTH + 1) {
    throw strataError('STRATA_ERR_STORE_PATH_TOO_SHORT', { base });
  }
  for (let i = 0; i < STORE_PATH_HASH_LENGTH; i++) {
    const code = base.charCodeAt(i);
    if (!isHashChar(code)) {
      const char = String.fromCodePoint(base.codePointAt(i) ?? code);
      throw strataError('STRATA_ERR_STORE_PATH_BAD_HASH_CHAR', { base, char });
    }
  }
  const name = base.slice(STORE_PATH_HASH_LENGTH + 1);
  checkNameAsNix28(name, base);
  if (base.charCodeAt(STORE_PATH_HASH_LENGTH) !== 0x2d) {
    throw strataError('STRATA_ERR_STORE_PATH_NO_DASH', { base });
  }
  if (isDotName(name)) throw strataError('STRATA_ERR_STORE_PATH_DOT_NAME', { path, name });
  return StorePath.fromValidBaseName(base);
}
