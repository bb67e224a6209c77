/**
 * NAR format primitives shared by the writer, the parser and the file-system side
 * (spec store-format §3): the magic, the limits master enforces, name and symlink-target rules,
 * byte-wise name order, and the error constructor that puts the byte offset into the message.
 *
 * @example
 *   isValidEntryName(utf8('a.txt'));      // true
 *   isValidEntryName(utf8('..'));         // false
 *   compareBytes(utf8('B'), utf8('a'));   // < 0: NAR order is byte order, not locale order
 */
import { type ErrorCode, type ErrorParams, type StrataError, strataError } from '../errors.js';

/** The first string of every NAR. */
export const NAR_MAGIC = 'nix-archive-1';

/** Longest tag (keyword) a parser reads; all real keywords are ≤ 10 bytes (master: `narMaxTag`). */
export const NAR_MAX_TAG = 32;
/** Longest entry name (master: `narMaxName`; Linux `NAME_MAX`). */
export const NAR_MAX_NAME = 255;
/** Longest symlink target (master: `narMaxTarget`; Linux `PATH_MAX - 1`). */
export const NAR_MAX_TARGET = 4095;
/** A node at this depth (the root is at depth 0) is rejected (master: `narMaxDepth`). */
export const NAR_MAX_DEPTH = 64;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** `bytes` as text (UTF-8, invalid sequences replaced): for messages only, never for names. */
export function showBytes(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Byte-wise comparison (`memcmp` order, shorter prefix first), as Nix sorts entry names. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when `a` and `b` hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A valid entry name is non-empty, not `.` or `..`, and contains neither `/` nor NUL. */
export function isValidEntryName(name: Uint8Array): boolean {
  const n = name.length;
  if (n === 0) return false;
  if (name[0] === 0x2e && (n === 1 || (n === 2 && name[1] === 0x2e))) return false;
  for (let i = 0; i < n; i++) if (name[i] === 0x2f || name[i] === 0) return false;
  return true;
}

/** A valid symlink target is non-empty and contains no NUL (master). */
export function isValidSymlinkTarget(target: Uint8Array): boolean {
  return target.length > 0 && target.indexOf(0) < 0;
}

/** Padding after a string of `len` bytes: `(8 - len % 8) % 8`. */
export function paddingOf(len: number): number {
  return (8 - (len % 8)) % 8;
}

/**
 * A NAR error at byte `offset`: the message is Nix's text followed by ` (at byte N)`, so
 * greps for Nix's wording still match, and `offset` is kept on the error.
 */
export function narError<C extends ErrorCode>(
  code: C,
  params: ErrorParams<C>,
  offset: number,
): StrataError {
  const e = strataError(code, params, { offset });
  e.message = `${e.message} (at byte ${offset})`;
  return e;
}
