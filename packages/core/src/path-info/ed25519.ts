/**
 * Detached Ed25519 signatures over `node:crypto`, accepting and rejecting exactly what
 * libsodium's `crypto_sign_verify_detached` (Nix 2.8's verifier) does.
 *
 * OpenSSL (behind `node:crypto`) and libsodium compute the same signatures, but libsodium's
 * verifier is stricter: it refuses public keys with a non-canonical encoding or of small order,
 * and signatures whose `R` has small order. Those checks run here before OpenSSL's, so a forged
 * signature that OpenSSL would accept (e.g. identity key, identity `R`, `S = 0`) is refused as
 * Nix refuses it.
 *
 * @example
 *   const pub = ed25519PublicFromSeed(seed);
 *   const sig = ed25519Sign(seed, bytes);
 *   ed25519Verify(pub, bytes, sig); // true
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** Bytes in a seed (the first half of libsodium's secret key). */
export const ED25519_SEED_BYTES = 32;
/** Bytes in a public key. */
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** Bytes in a detached signature. */
export const ED25519_SIGNATURE_BYTES = 64;

// DER prefixes that wrap a raw 32-byte seed (PKCS#8) or public key (SPKI) for OID 1.3.101.112.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
}

/** The public key belonging to a 32-byte seed. */
export function ed25519PublicFromSeed(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

/** The 64-byte detached signature of `data` by the key with this seed (deterministic). */
export function ed25519Sign(seed: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, privateKeyObject(seed)));
}

/**
 * True when `signature` is a valid detached signature of `data` by `publicKey`, by libsodium's
 * rules (see the module header).
 */
export function ed25519Verify(
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  if (!isCanonicalScalar(signature.subarray(32)) || hasSmallOrder(signature.subarray(0, 32)))
    return false;
  if (!isCanonicalPoint(publicKey) || hasSmallOrder(publicKey)) return false;
  try {
    return verify(null, data, publicKeyObject(publicKey), signature);
  } catch {
    // OpenSSL refuses to load some points that are not on the curve; libsodium says "invalid".
    return false;
  }
}

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function littleEndian32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

// libsodium's blocklist (ge25519_has_small_order): encodings of y for the points of order 1, 2,
// 4 and 8, plus the non-canonical encodings p and p+1 of y = 0 and y = 1. The sign bit of x is
// ignored when comparing.
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  0n,
  1n,
  2707385501144840649318225287225658788936804267575313519463743609750303402022n,
  55188659117513257062467267217118295137698188065244968500265048394206261417927n,
  P - 1n,
  P,
  P + 1n,
].map(littleEndian32);

/** libsodium's `ge25519_has_small_order` on a 32-byte point encoding. */
export function hasSmallOrder(point: Uint8Array): boolean {
  return SMALL_ORDER_ENCODINGS.some((bad) => {
    for (let i = 0; i < 31; i++) if (point[i] !== bad[i]) return false;
    return ((point[31] ?? 0) & 0x7f) === bad[31];
  });
}

/** libsodium's `ge25519_is_canonical`: the encoded y (sign bit masked) is below p. */
export function isCanonicalPoint(point: Uint8Array): boolean {
  if (((point[31] ?? 0) & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (point[i] !== 0xff) return true;
  return (point[0] ?? 0) < 0xed;
}

/** libsodium's `sc25519_is_canonical`: the little-endian scalar `S` is below the group order. */
export function isCanonicalScalar(scalar: Uint8Array): boolean {
  let n = 0n;
  for (let i = scalar.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(scalar[i] ?? 0);
  return n < L;
}
