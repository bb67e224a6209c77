/**
 * `PathInfo`: what a store knows about one valid store object (Nix's `ValidPathInfo`), with
 * the set semantics Nix gives its fields: references and signatures are sorted, without
 * duplicates, compared byte-wise.
 *
 * @example
 *   const info = makePathInfo({ path, narHash, narSize: 128, references: [b, a] });
 *   info.references; // [a, b]
 *   withSignatures(info, ['k:…']).sigs; // ['k:…']
 */
import type { Hash } from '../hash/hash.js';
import type { ContentAddress } from '../store-path/content-address.js';

/** Metadata of a valid store object, with full store paths. */
export interface PathInfo {
  /** The full store path, e.g. `/nix/store/xrab…-hello.txt`. */
  path: string;
  /** The full store path of the `.drv` that produced it, when known. */
  deriver?: string;
  /** Hash of the object's NAR serialisation (sha256 in practice). */
  narHash: Hash;
  /** Size of the NAR serialisation in bytes; 0 means unknown. */
  narSize: number;
  /** Full store paths of the references (self included when self-referencing), sorted. */
  references: string[];
  /** Signatures `<key name>:<base64>`, sorted. */
  sigs: string[];
  /** The content address, for content-addressed objects. */
  ca?: ContentAddress;
  /** Seconds since the epoch when the path was registered; 0 or absent when unknown. */
  registrationTime?: number;
  /** True when built locally (Nix trusts it without signatures). */
  ultimate?: boolean;
}

/** Whether a UTF-16 code unit is half of a surrogate pair (or a lone surrogate). */
const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

/**
 * Nix's order for strings in a `std::set`: byte-wise on UTF-8 (-1, 0 or 1).
 *
 * Compared code unit by code unit without encoding: up to the first difference both strings
 * encode alike, and two differing units that are not surrogates order as their UTF-8 bytes do
 * (UTF-8 keeps code point order). Only a difference at a surrogate (astral characters, lone
 * surrogates, which encode as U+FFFD) falls back to comparing the encoded bytes.
 */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isSurrogate(x) || isSurrogate(y)) {
      return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    }
    return x < y ? -1 : 1;
  }
  // One is a prefix of the other: its bytes are a prefix too, or (a trailing lone high
  // surrogate, U+FFFD = EF BF BD, against an astral character, F0…) still smaller.
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareBytewise);
}

/** References as Nix stores them: sorted, without duplicates. */
export function sortedReferences(references: Iterable<string>): string[] {
  return sortedUnique(references);
}

/** Signatures as Nix stores them: sorted, without duplicates. */
export function sortedSignatures(sigs: Iterable<string>): string[] {
  return sortedUnique(sigs);
}

/** Builds a `PathInfo` with references and signatures normalised (sorted, deduplicated). */
export function makePathInfo(
  fields: Omit<PathInfo, 'references' | 'sigs'> & {
    references?: Iterable<string>;
    sigs?: Iterable<string>;
  },
): PathInfo {
  return {
    ...fields,
    references: sortedReferences(fields.references ?? []),
    sigs: sortedSignatures(fields.sigs ?? []),
  };
}

/** `info` with `sigs` added to its signatures (a set union, as `nix store sign` does). */
export function withSignatures<T extends PathInfo>(info: T, sigs: Iterable<string>): T {
  return { ...info, sigs: sortedSignatures([...info.sigs, ...sigs]) };
}
