/**
 * Signing path infos and checking their signatures against a set of trusted keys, as Nix 2.8
 * does (spec store-format §7.2, §7.3).
 *
 * A signature `<name>:<base64>` is checked only against the trusted key with exactly that name:
 * an unknown name is simply "not valid", while a signature that does not decode to 64 bytes is
 * an error (`signature is not valid`). Content-addressed objects count as having infinitely many
 * valid signatures: they are self-certifying.
 *
 * @example
 *   const trusted = trustedKeySet(['cache.nixos.org-1:6NCH…'], [readFileSync(keyFile, 'utf8')]);
 *   const sig = signPathInfo(info, parseSecretKey(secret));
 *   countValidSignatures(withSignatures(info, [sig]), trusted, storeDir); // 1 (or Infinity if CA)
 */
import { strataError } from '../errors.js';
import { decodeBase64 } from '../hash/base64.js';
import { isContentAddressed } from '../store-path/content-address.js';
import type { StoreDir } from '../store-path/store-dir.js';
import { ED25519_SIGNATURE_BYTES } from './ed25519.js';
import { fingerprintPathInfo } from './fingerprint.js';
import {
  type PublicKey,
  parsePublicKey,
  parseSecretKey,
  type SecretKey,
  splitKeyString,
} from './keys.js';
import type { PathInfo } from './path-info.js';

/** Trusted public keys by name (Nix's `PublicKeys`). */
export type TrustedKeys = ReadonlyMap<string, PublicKey>;

/** The `trusted-public-keys` default of Nix 2.8. */
export const DEFAULT_TRUSTED_PUBLIC_KEYS: readonly string[] = [
  'cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=',
];

/**
 * The trusted set: the parsed `trusted-public-keys`, then the public halves of the given secret
 * keys (the contents of the readable `secret-key-files`; the caller skips unreadable ones, as
 * Nix does). Keyed by name; a later key with a name already present does not replace it.
 * Malformed keys fail with the key parsers' errors.
 */
export function trustedKeySet(
  publicKeys: Iterable<string>,
  secretKeys: Iterable<string | SecretKey> = [],
): Map<string, PublicKey> {
  const out = new Map<string, PublicKey>();
  for (const text of publicKeys) {
    const key = parsePublicKey(text);
    if (!out.has(key.name)) out.set(key.name, key);
  }
  for (const secret of secretKeys) {
    const key = (typeof secret === 'string' ? parseSecretKey(secret) : secret).toPublicKey();
    if (!out.has(key.name)) out.set(key.name, key);
  }
  return out;
}

/** Signs `info`'s fingerprint with `key`: `<key name>:<base64 signature>`. */
export function signPathInfo(
  info: Pick<PathInfo, 'path' | 'narHash' | 'narSize' | 'references'>,
  key: SecretKey,
): string {
  return key.signDetached(fingerprintPathInfo(info));
}

/**
 * True when `sig` is a valid signature of `fingerprint` by the trusted key it names. An unknown
 * (or missing) key name gives false; a signature that is not 64 bytes of base64 fails with
 * `signature is not valid`.
 */
export function verifySignature(fingerprint: string, sig: string, trusted: TrustedKeys): boolean {
  const { name, rest } = splitKeyString(sig);
  const key = trusted.get(name);
  if (key === undefined) return false;
  const bytes = decodeBase64(rest);
  if (bytes.length !== ED25519_SIGNATURE_BYTES) throw strataError('STRATA_ERR_SIG_INVALID', {});
  return key.verifyDetached(fingerprint, bytes);
}

/**
 * How many of `info`'s signatures verify with `trusted` keys; `Infinity` for a
 * content-addressed object (one whose `ca` really yields its path, see `isContentAddressed`).
 */
export function countValidSignatures(
  info: PathInfo,
  trusted: TrustedKeys,
  storeDir: StoreDir,
): number {
  if (info.ca !== undefined) {
    const candidate = {
      path: storeDir.parsePath(info.path),
      ca: info.ca,
      references: info.references.map((r) => storeDir.parsePath(r)),
    };
    if (isContentAddressed(candidate, storeDir)) return Number.POSITIVE_INFINITY;
  }
  if (info.sigs.length === 0) return 0;
  const fingerprint = fingerprintPathInfo(info);
  return info.sigs.filter((sig) => verifySignature(fingerprint, sig, trusted)).length;
}
