/**
 * Path infos as JSON, exactly as `nix path-info --json` prints them in Nix 2.8
 * (`Store::pathInfoToJSON`): the same keys in the same order, `narHash` in SRI form,
 * references as full paths, and Nix's own JSON writer (compact, its escaping rules).
 *
 * Key order: path, narHash, narSize, references, ca?, closureSize?, then the "impure" keys
 * deriver?, registrationTime? (if non-zero), ultimate? (if true), signatures? (if any), and for
 * binary-cache infos url?, downloadHash?, downloadSize? (if non-zero), closureDownloadSize?.
 * A path that is not valid prints as `{"path":…,"valid":false}`.
 *
 * @example
 *   renderNixJson([pathInfoToJson(info), invalidPathJson('/nix/store/…-gone')]);
 *   // '[{"path":"/nix/store/…","narHash":"sha256-…","narSize":128,"references":[],…},…]'
 */
import { renderContentAddress } from '../store-path/content-address.js';
import type { NarInfo } from './narinfo.js';
import { type PathInfo, sortedReferences, sortedSignatures } from './path-info.js';

/** A JSON value whose object keys keep their insertion order. */
export type NixJson = string | number | boolean | null | NixJson[] | { [key: string]: NixJson };

/** What `nix path-info --json` adds besides the info itself. */
export interface PathInfoJsonOptions {
  /**
   * The closure's total NAR size (`--closure-size`); computed by the caller from the store.
   * When given, `closureSize` is printed.
   */
  closureSize?: number;
  /**
   * The closure's total download size; printed as `closureDownloadSize` for binary-cache infos
   * (those with a `url`) when given.
   */
  closureDownloadSize?: number;
  /** Include the impure keys (deriver, registrationTime, …). Default true, as `nix path-info`. */
  impure?: boolean;
}

function isNarInfo(info: PathInfo | NarInfo): info is NarInfo {
  return typeof (info as Partial<NarInfo>).url === 'string';
}

/** The JSON object Nix 2.8 prints for a valid path. */
export function pathInfoToJson(
  info: PathInfo | NarInfo,
  options: PathInfoJsonOptions = {},
): { [key: string]: NixJson } {
  const out: { [key: string]: NixJson } = {
    path: info.path,
    narHash: info.narHash.toSri(),
    narSize: info.narSize,
    references: sortedReferences(info.references),
  };
  if (info.ca !== undefined) out.ca = renderContentAddress(info.ca);
  if (options.closureSize !== undefined) out.closureSize = options.closureSize;
  if (options.impure === false) return out;
  if (info.deriver !== undefined) out.deriver = info.deriver;
  if (info.registrationTime) out.registrationTime = info.registrationTime;
  if (info.ultimate) out.ultimate = true;
  if (info.sigs.length > 0) out.signatures = sortedSignatures(info.sigs);
  if (isNarInfo(info)) {
    if (info.url !== '') out.url = info.url;
    if (info.fileHash !== undefined) out.downloadHash = info.fileHash.toSri();
    if (info.fileSize) out.downloadSize = info.fileSize;
    if (options.closureDownloadSize !== undefined)
      out.closureDownloadSize = options.closureDownloadSize;
  }
  return out;
}

/** The JSON object Nix 2.8 prints for a path that is not valid. */
export function invalidPathJson(path: string): { [key: string]: NixJson } {
  return { path, valid: false };
}

/**
 * Nix's string escaping: `"` and `\` backslashed, `\n` `\r` `\t` by name, other control
 * characters as `\u00xx` (lower-case hex); everything else, non-ASCII included, verbatim.
 */
function renderJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Renders `value` compactly as Nix 2.8's JSON writer does (no spaces, no trailing newline). */
export function renderNixJson(value: NixJson): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return renderJsonString(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(renderNixJson).join(',')}]`;
  const fields = Object.entries(value).map(
    ([k, v]) => `${renderJsonString(k)}:${renderNixJson(v)}`,
  );
  return `{${fields.join(',')}}`;
}
