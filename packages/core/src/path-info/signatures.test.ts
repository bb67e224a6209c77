import { throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHash } from '../hash/parse.js';
import { parseContentAddress } from '../store-path/content-address.js';
import { StoreDir } from '../store-path/store-dir.js';
import { hasSmallOrder, isCanonicalPoint, isCanonicalScalar } from './ed25519.js';
import { fingerprintPathInfo } from './fingerprint.js';
import { generateSecretKey, parsePublicKey, parseSecretKey } from './keys.js';
import { makePathInfo, type PathInfo, withSignatures } from './path-info.js';
import {
  countValidSignatures,
  DEFAULT_TRUSTED_PUBLIC_KEYS,
  signPathInfo,
  trustedKeySet,
  verifySignature,
} from './signatures.js';

const test = suite('path-info/signatures');

// V14 (spec store-format §7).
const SECRET =
  'test-key-1:gFVydo3sMI7xvcBN0FZmjkZtLslnqHUhl7W4peAs++HGTb2LhqG7vVaQo35Agj92srZGUgTMjMbuiPGjNsCsDA==';
const PUBLIC = 'test-key-1:xk29i4ahu71WkKN+QII/drK2RlIEzIzG7ojxozbArAw=';
const HELLO = '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt';
const WITHREF = '/nix/store/x43i5lpkpmbhikzy8z64fz4hpqjsa008-withref';
const FP_WITHREF = `1;${WITHREF};sha256:1s13a09kb2qk7hv7mda8chwd4y3l3i891mfrx7hwl5m8m2qwm7fp;176;${HELLO}`;
const SIG_WITHREF =
  'test-key-1:Gn5XMMC7g3MfSraXvjJgvUX9RTkYBPRRlNrROTd3aGe9BeEvB8WaXJvNsX8jX1H05Qz+irxE6WGGJC+TVd5ZDQ==';
const FP_HELLO = `1;${HELLO};sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq;128;`;
const SIG_HELLO =
  'test-key-1:8B867WfOxLH5YfifIVphHr5Q7NFSBEsKhJbqKutUL70cIhmaKcb4IuxfM2ne2vYh9lW6pn+Lc0BtFZI/K0R2CQ==';

const storeDir = new StoreDir('/nix/store');

const withref: PathInfo = makePathInfo({
  path: WITHREF,
  narHash: parseHash('sha256:1s13a09kb2qk7hv7mda8chwd4y3l3i891mfrx7hwl5m8m2qwm7fp'),
  narSize: 176,
  references: [HELLO],
  ca: parseContentAddress('text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4'),
});
const hello: PathInfo = makePathInfo({
  path: HELLO,
  narHash: parseHash('sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq'),
  narSize: 128,
  ca: parseContentAddress('fixed:r:sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq'),
});

test('V14 fingerprints', () => {
  assert.is(fingerprintPathInfo(withref), FP_WITHREF);
  assert.is(fingerprintPathInfo(hello), FP_HELLO);
});

test('fingerprint: references sorted and comma-joined, self included', () => {
  const self = '/nix/store/hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref';
  const dep = '/nix/store/wkb38adhw4i46sxpcl84c1g6wxsylyag-dep';
  const info = { ...hello, path: self, references: [self, dep] };
  assert.is(
    fingerprintPathInfo(info),
    `1;${self};sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq;128;${self},${dep}`,
  );
  assert.is(
    fingerprintPathInfo({ ...info, references: [dep, self, dep] }),
    fingerprintPathInfo(info),
  );
});

test('fingerprint of a path of unknown size fails with Nix message', () => {
  throwsWith(
    () => fingerprintPathInfo({ ...hello, narSize: 0 }),
    'STRATA_ERR_SIG_UNKNOWN_SIZE',
    `cannot calculate fingerprint of path '${HELLO}' because its size is not known`,
  );
});

test('V14 signatures come out exactly', () => {
  const sk = parseSecretKey(SECRET);
  assert.is(signPathInfo(withref, sk), SIG_WITHREF);
  assert.is(signPathInfo(hello, sk), SIG_HELLO);
  assert.is(sk.signDetached(FP_HELLO), SIG_HELLO);
});

test('V14 signatures verify with the V14 public key, and only for their fingerprint', () => {
  const trusted = trustedKeySet([PUBLIC]);
  assert.ok(verifySignature(FP_WITHREF, SIG_WITHREF, trusted));
  assert.ok(verifySignature(FP_HELLO, SIG_HELLO, trusted));
  assert.not.ok(verifySignature(FP_HELLO, SIG_WITHREF, trusted));
  assert.not.ok(verifySignature(`${FP_HELLO} `, SIG_HELLO, trusted));
});

test('unknown key names are not valid, without error', () => {
  const trusted = trustedKeySet(DEFAULT_TRUSTED_PUBLIC_KEYS);
  assert.not.ok(verifySignature(FP_HELLO, SIG_HELLO, trusted));
  assert.not.ok(verifySignature(FP_HELLO, 'no-colon', trusted));
  assert.not.ok(verifySignature(FP_HELLO, ':AAAA', trusted));
  // A signature under the right name but by another key.
  const other = generateSecretKey('test-key-1');
  assert.not.ok(verifySignature(FP_HELLO, other.signDetached(FP_HELLO), trustedKeySet([PUBLIC])));
});

test('a signature that is not 64 bytes fails: signature is not valid', () => {
  const trusted = trustedKeySet([PUBLIC]);
  for (const bad of ['test-key-1:AAAA', 'test-key-1:', `${SIG_HELLO.slice(0, -4)}`]) {
    throwsWith(
      () => verifySignature(FP_HELLO, bad, trusted),
      'STRATA_ERR_SIG_INVALID',
      'signature is not valid',
    );
  }
  throwsWith(
    () => verifySignature(FP_HELLO, 'test-key-1:A*AA', trusted),
    'STRATA_ERR_HASH_BAD_BASE64_CHAR',
    "invalid character in Base64 string: ''",
  );
});

test('forged signatures libsodium refuses are refused (OpenSSL alone would accept some)', () => {
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const forged = new Uint8Array(64);
  forged[0] = 1; // R = identity, S = 0: "valid" for the identity key under cofactorless OpenSSL
  const evil = `evil:${Buffer.from(identity).toString('base64')}`;
  const sig = `evil:${Buffer.from(forged).toString('base64')}`;
  assert.not.ok(verifySignature('anything', sig, trustedKeySet([evil])));
});

test('libsodium small-order blocklist and canonical checks', () => {
  const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
  // The two order-8 encodings as libsodium lists them, byte for byte.
  const order8a = hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
  const order8b = hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
  assert.ok(hasSmallOrder(order8a));
  assert.ok(hasSmallOrder(order8b));
  const withSign = Uint8Array.from(order8b);
  withSign[31] = (withSign[31] ?? 0) | 0x80;
  assert.ok(hasSmallOrder(withSign), 'the sign bit of x is ignored');
  const pMinus1 = new Uint8Array(32).fill(0xff);
  pMinus1[0] = 0xec;
  pMinus1[31] = 0x7f;
  assert.ok(hasSmallOrder(pMinus1));
  assert.ok(isCanonicalPoint(pMinus1));
  const p = Uint8Array.from(pMinus1);
  p[0] = 0xed;
  assert.ok(hasSmallOrder(p));
  assert.not.ok(isCanonicalPoint(p));
  assert.not.ok(hasSmallOrder(parsePublicKey(PUBLIC).key));
  assert.ok(isCanonicalPoint(parsePublicKey(PUBLIC).key));
  // S must be below the group order L.
  const l = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
  assert.not.ok(isCanonicalScalar(l));
  const lMinus1 = Uint8Array.from(l);
  lMinus1[0] = 0xec;
  assert.ok(isCanonicalScalar(lMinus1));
});

test('a signature with S ≥ L is refused', () => {
  const trusted = trustedKeySet([PUBLIC]);
  const bytes = Buffer.from(SIG_HELLO.split(':')[1] ?? '', 'base64');
  // S + L is the same scalar mod L: a malleated signature libsodium refuses.
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(bytes[i] ?? 0);
  s += 2n ** 252n + 27742317777372353535851937790883648493n;
  const malleated = Buffer.from(bytes);
  for (let i = 32; i < 64; i++) malleated[i] = Number((s >> BigInt(8 * (i - 32))) & 0xffn);
  assert.not.ok(verifySignature(FP_HELLO, `test-key-1:${malleated.toString('base64')}`, trusted));
});

test('trusted set: public keys, then public halves of secret keys; earlier names win', () => {
  const other = generateSecretKey('test-key-1');
  const third = generateSecretKey('third');
  const trusted = trustedKeySet([PUBLIC], [other.toString(), third]);
  assert.equal([...trusted.keys()], ['test-key-1', 'third']);
  assert.is(trusted.get('test-key-1')?.toString(), PUBLIC);
  assert.is(trusted.get('third')?.toString(), third.toPublicKey().toString());
  const fromSecret = trustedKeySet([], [SECRET, other.toString()]);
  assert.is(fromSecret.get('test-key-1')?.toString(), PUBLIC);
  const dup = trustedKeySet([other.toPublicKey().toString(), PUBLIC]);
  assert.is(dup.get('test-key-1')?.toString(), other.toPublicKey().toString());
  throwsWith(
    () => trustedKeySet(['nonsense']),
    'STRATA_ERR_KEY_SECRET_CORRUPT',
    'secret key is corrupt',
  );
  throwsWith(
    () => trustedKeySet(['k:AAAA']),
    'STRATA_ERR_KEY_PUBLIC_INVALID',
    'public key is not valid',
  );
  throwsWith(
    () => trustedKeySet([], ['k:AAAA']),
    'STRATA_ERR_KEY_SECRET_INVALID',
    'secret key is not valid',
  );
  assert.is(trustedKeySet(DEFAULT_TRUSTED_PUBLIC_KEYS).get('cache.nixos.org-1')?.key.length, 32);
});

test('countValidSignatures: content-addressed objects count as infinitely signed', () => {
  const trusted = trustedKeySet([PUBLIC]);
  assert.is(countValidSignatures(hello, trusted, storeDir), Number.POSITIVE_INFINITY);
  assert.is(countValidSignatures(withref, trusted, storeDir), Number.POSITIVE_INFINITY);
});

test('countValidSignatures: a claimed but wrong content address counts signatures', () => {
  const trusted = trustedKeySet([PUBLIC]);
  const wrongCa = parseContentAddress(
    'text:sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq',
  );
  const claimed = { ...hello, ca: wrongCa };
  assert.is(countValidSignatures(claimed, trusted, storeDir), 0);
  assert.is(countValidSignatures(withSignatures(claimed, [SIG_HELLO]), trusted, storeDir), 1);
});

test('countValidSignatures: input-addressed objects count valid trusted signatures only', () => {
  const noCa: PathInfo = { ...hello, ca: undefined };
  delete noCa.ca;
  const trusted = trustedKeySet([PUBLIC]);
  const other = generateSecretKey('other');
  assert.is(countValidSignatures(noCa, trusted, storeDir), 0);
  const signed = withSignatures(noCa, [SIG_HELLO, signPathInfo(noCa, other), SIG_WITHREF]);
  assert.is(signed.sigs.length, 3);
  assert.is(countValidSignatures(signed, trusted, storeDir), 1);
  assert.is(countValidSignatures(signed, trustedKeySet([PUBLIC], [other]), storeDir), 2);
  // Nix computes the fingerprint only when there is a signature to check.
  assert.is(countValidSignatures({ ...noCa, narSize: 0 }, trusted, storeDir), 0);
  throwsWith(
    () => countValidSignatures({ ...signed, narSize: 0 }, trusted, storeDir),
    'STRATA_ERR_SIG_UNKNOWN_SIZE',
    `cannot calculate fingerprint of path '${HELLO}' because its size is not known`,
  );
});

test('withSignatures merges as a sorted set', () => {
  const a = withSignatures(hello, ['b:x', 'a:y']);
  assert.equal(a.sigs, ['a:y', 'b:x']);
  assert.equal(withSignatures(a, ['a:y', 'c:z']).sigs, ['a:y', 'b:x', 'c:z']);
});

test.run();
