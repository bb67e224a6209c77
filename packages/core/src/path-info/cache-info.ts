/**
 * `nix-cache-info`, the file at the root of a binary cache (spec store-format §8).
 *
 * Read as Nix 2.8's `BinaryCacheStore::init` reads it: lines without `:` are skipped, values are
 * trimmed, later lines override earlier ones, `WantMassQuery` is true only for `1`, and
 * `Priority` is read by C's `stoi` (leading integer; failure reads just `stoi`). Every
 * `StoreDir` line must equal the client's store dir.
 *
 * @example
 *   parseNixCacheInfo('StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n');
 *   // { storeDir: '/nix/store', wantMassQuery: true, priority: 40 }
 *   renderNixCacheInfo({ storeDir: '/nix/store' }); // 'StoreDir: /nix/store\n' (what 2.8 writes)
 */
import { strataError } from '../errors.js';

/** The settings a binary cache announces about itself. */
export interface NixCacheInfo {
  /** The store dir the cache's paths belong to. */
  storeDir?: string;
  /** Whether clients may query many paths at once. */
  wantMassQuery?: boolean;
  /** Substituter priority (lower is preferred). */
  priority?: number;
}

/** What the reader checks the file against. */
export interface NixCacheInfoExpectation {
  /** The client's store dir; every `StoreDir` line must equal it. */
  storeDir: string;
  /** The cache's URI, for the error message. */
  uri: string;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** C++ `std::stoi`: optional leading white space and sign, then at least one digit. */
function stoi(value: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(value);
  const n = m === null ? Number.NaN : Number(m[1]);
  if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX)
    throw strataError('STRATA_ERR_NARINFO_CACHE_PRIORITY', {}, { hint: `Priority: ${value}` });
  return n;
}

// Nix's trim(): the default white space set " \t\n\r".
const trim = (s: string) => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');

/**
 * Parses `nix-cache-info`. With `expect`, a `StoreDir` other than the client's fails with
 * `binary cache '<uri>' is for Nix stores with prefix '<dir>', not '<expected>'`.
 */
export function parseNixCacheInfo(text: string, expect?: NixCacheInfoExpectation): NixCacheInfo {
  const info: NixCacheInfo = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon);
    const value = trim(line.slice(colon + 1));
    if (name === 'StoreDir') {
      if (expect !== undefined && value !== expect.storeDir)
        throw strataError('STRATA_ERR_NARINFO_CACHE_STORE_DIR', {
          uri: expect.uri,
          dir: value,
          expected: expect.storeDir,
        });
      info.storeDir = value;
    } else if (name === 'WantMassQuery') {
      info.wantMassQuery = value === '1';
    } else if (name === 'Priority') {
      info.priority = stoi(value);
    }
  }
  return info;
}

/**
 * Writes `nix-cache-info`: `StoreDir` (all Nix 2.8 writes), then `WantMassQuery` and `Priority`
 * when set, in the form binary caches such as cache.nixos.org use.
 */
export function renderNixCacheInfo(info: NixCacheInfo & { storeDir: string }): string {
  let out = `StoreDir: ${info.storeDir}\n`;
  if (info.wantMassQuery !== undefined) out += `WantMassQuery: ${info.wantMassQuery ? 1 : 0}\n`;
  if (info.priority !== undefined) out += `Priority: ${info.priority}\n`;
  return out;
}
