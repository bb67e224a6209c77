/**
 * Nix signing keys (spec store-format §7.1): `<name>:<base64>` strings holding libsodium
 * Ed25519 keys. A secret key is the 64-byte libsodium secret (32-byte seed, then the 32-byte
 * public key); a public key is the 32 bytes of the public key.
 *
 * Parsing follows Nix 2.8 exactly, including its quirks: the name is everything before the
 * first `:`, base64 is decoded with Nix's decoder (a trailing newline from a key file is
 * fine), and a badly shaped *public* key is also reported as `secret key is corrupt`.
 *
 * @example
 *   const sk = generateSecretKey('cache.example.org-1');
 *   const pk = sk.toPublicKey();
 *   pk.verifyDetached(data, sk.signDetached(data)); // true
 *   sk.toString(); // 'cache.example.org-1:…' (what `nix-store --generate-binary-cache-key` writes)
 */
import { randomBytes } from 'node:crypto';
import { strataError } from '../errors.js';
import { decodeBase64, encodeBase64 } from '../hash/base64.js';
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SEED_BYTES,
  ed25519PublicFromSeed,
  ed25519Sign,
  ed25519Verify,
} from './ed25519.js';

/** Bytes in a libsodium Ed25519 secret key (seed followed by public key). */
export const SECRET_KEY_BYTES = ED25519_SEED_BYTES + ED25519_PUBLIC_KEY_BYTES;
/** Bytes in an Ed25519 public key. */
export const PUBLIC_KEY_BYTES = ED25519_PUBLIC_KEY_BYTES;

/** Splits `<name>:<rest>` as Nix's key and signature parser does: empty halves when no name. */
export function splitKeyString(text: string): { name: string; rest: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) return { name: '', rest: '' };
  return { name: text.slice(0, colon), rest: text.slice(colon + 1) };
}

function decodeKeyString(text: string): { name: string; key: Uint8Array } {
  const { name, rest } = splitKeyString(text);
  if (name === '' || rest === '') throw strataError('STRATA_ERR_KEY_SECRET_CORRUPT', {});
  return { name, key: decodeBase64(rest) };
}

const bytesOf = (data: Uint8Array | string): Uint8Array =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : data;

/** An Ed25519 public key with its name. */
export class PublicKey {
  /** The key's name (`cache.nixos.org-1`); signatures carry it to find their key. */
  readonly name: string;
  /** The 32 raw bytes of the key. */
  readonly key: Uint8Array;

  constructor(name: string, key: Uint8Array) {
    if (key.length !== PUBLIC_KEY_BYTES) throw strataError('STRATA_ERR_KEY_PUBLIC_INVALID', {});
    this.name = name;
    this.key = key;
  }

  /**
   * True when `signature` (the 64 raw bytes) is a valid Ed25519 signature of `data` by this
   * key, by libsodium's rules.
   */
  verifyDetached(data: Uint8Array | string, signature: Uint8Array): boolean {
    return ed25519Verify(this.key, bytesOf(data), signature);
  }

  /** `<name>:<base64>`, as in `trusted-public-keys`. */
  toString(): string {
    return `${this.name}:${encodeBase64(this.key)}`;
  }
}

/** An Ed25519 secret key with its name, in libsodium's 64-byte form. */
export class SecretKey {
  /** The key's name; it prefixes every signature made with the key. */
  readonly name: string;
  /** The 64 raw bytes: seed, then public key. */
  readonly key: Uint8Array;

  constructor(name: string, key: Uint8Array) {
    if (key.length !== SECRET_KEY_BYTES) throw strataError('STRATA_ERR_KEY_SECRET_INVALID', {});
    this.name = name;
    this.key = key;
  }

  /**
   * The public half, as libsodium's `crypto_sign_ed25519_sk_to_pk` gives it: the stored last 32
   * bytes (not recomputed from the seed).
   */
  toPublicKey(): PublicKey {
    return new PublicKey(this.name, this.key.slice(ED25519_SEED_BYTES));
  }

  /** `<name>:<base64 signature>`: the detached signature of `data`, as Nix writes it. */
  signDetached(data: Uint8Array | string): string {
    const seed = this.key.subarray(0, ED25519_SEED_BYTES);
    const stored = this.key.subarray(ED25519_SEED_BYTES);
    // libsodium would hash the stored half into the signature even when it is not the seed's
    // public key, making signatures nobody can verify; refuse such a key instead.
    if (!Buffer.from(ed25519PublicFromSeed(seed)).equals(stored))
      throw strataError(
        'STRATA_ERR_KEY_SECRET_INVALID',
        {},
        { hint: `the public half of secret key '${this.name}' does not belong to its seed` },
      );
    return `${this.name}:${encodeBase64(ed25519Sign(seed, bytesOf(data)))}`;
  }

  /** `<name>:<base64>`, the contents of a secret key file (no trailing newline). */
  toString(): string {
    return `${this.name}:${encodeBase64(this.key)}`;
  }
}

/**
 * Parses a secret key string. Errors: `secret key is corrupt` (no `name:key` shape),
 * `secret key is not valid` (not 64 bytes), Nix's base64 error for a bad character.
 */
export function parseSecretKey(text: string): SecretKey {
  const { name, key } = decodeKeyString(text);
  return new SecretKey(name, key);
}

/**
 * Parses a public key string. Errors: `secret key is corrupt` (no `name:key` shape; Nix 2.8's
 * wording even for public keys), `public key is not valid` (not 32 bytes).
 */
export function parsePublicKey(text: string): PublicKey {
  const { name, key } = decodeKeyString(text);
  return new PublicKey(name, key);
}

/**
 * A fresh random key pair named `name`, as `nix-store --generate-binary-cache-key` makes.
 * Names that could not be read back (empty, or containing `:`) are refused.
 */
export function generateSecretKey(name: string): SecretKey {
  if (name === '' || name.includes(':')) throw strataError('STRATA_ERR_KEY_BAD_NAME', { name });
  const seed = randomBytes(ED25519_SEED_BYTES);
  const key = new Uint8Array(SECRET_KEY_BYTES);
  key.set(seed, 0);
  key.set(ed25519PublicFromSeed(seed), ED25519_SEED_BYTES);
  return new SecretKey(name, key);
}
