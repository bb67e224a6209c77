import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeBase16 } from './base16.js';
import { compressHash, Hash } from './hash.js';
import { hashBytes } from './hasher.js';

const test = suite('hash/hash');

// V1 (spec store-format §1.7): `abc` hashed with every algorithm.
const V1 = {
  md5: ['900150983cd24fb0d6963f7d28e17f72', '3jgzhjhz9zjvbb0kyj7jc500ch'],
  sha1: ['a9993e364706816aba3e25717850c26c9cd0d89d', 'kpcd173cq987hw957sx6m0868wv3x6d9'],
  sha256: [
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    '1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s',
  ],
  sha512: [
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    '2gs8k559z4rlahfx0y688s49m2vvszylcikrfinm30ly9rak69236nkam5ydvly1ai7xac99vxfc4ii84hawjbk876blyk1jfhkbbyx',
  ],
} as const;

test('V1: base16 and Nix32 of abc for every algorithm', () => {
  for (const [algo, [b16, b32]] of Object.entries(V1)) {
    const h = hashBytes(algo as keyof typeof V1, 'abc');
    assert.is(h.algorithm, algo);
    assert.is(h.toBase16(), b16, algo);
    assert.is(h.toBase32(), b32, algo);
    assert.is(h.toBase64(), Buffer.from(b16, 'hex').toString('base64'), algo);
  }
});

test('V1: the five renderings of sha256(abc) (§1.5)', () => {
  const h = hashBytes('sha256', 'abc');
  const b16 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  const b32 = '1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s';
  const b64 = 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=';
  assert.is(h.toString('base16', false), b16);
  assert.is(h.toString('base32', false), b32);
  assert.is(h.toString('base64', false), b64);
  assert.is(h.toString('base16'), `sha256:${b16}`);
  assert.is(h.toString('base32'), `sha256:${b32}`);
  assert.is(h.toString('base64'), `sha256:${b64}`);
  assert.is(h.toSri(), `sha256-${b64}`);
  assert.is(h.toString('sri'), `sha256-${b64}`);
  assert.is(h.toString('sri', false), `sha256-${b64}`);
  assert.is(`${h}`, `sha256:${b32}`);
});

test('V2: compressHash of sha256(abc) to 20 bytes', () => {
  const h = hashBytes('sha256', 'abc');
  const c = compressHash(h.bytes, 20);
  assert.is(Buffer.from(c).toString('hex'), '2c6f6c233b11308bb34155735dae2223b00361a3');
  // Bytes 12..19 are untouched, 0..11 are XORed with 20..31.
  for (let i = 12; i < 20; i++) assert.is(c[i], h.bytes[i]);
  for (let i = 0; i < 12; i++) assert.is(c[i], h.bytes[i] ^ h.bytes[i + 20]);
  // Folding more than twice wraps around again.
  assert.equal([...compressHash(Uint8Array.of(1, 2, 4, 8, 16), 2)], [1 ^ 4 ^ 16, 2 ^ 8]);
});

test('equals compares algorithm and bytes', () => {
  const a = hashBytes('sha256', 'abc');
  assert.ok(a.equals(new Hash('sha256', decodeBase16(a.toBase16()))));
  assert.not.ok(a.equals(hashBytes('sha256', 'abd')));
  const zero20 = new Uint8Array(20);
  assert.not.ok(new Hash('sha1', zero20).equals(hashBytes('sha256', '')));
});

test('the constructor refuses bytes of the wrong size', () => {
  assert.throws(() => new Hash('sha256', new Uint8Array(20)), /sha256 digest has 32 bytes, not 20/);
  assert.throws(() => new Hash('md5', new Uint8Array(17)), /md5 digest has 16 bytes/);
});

test.run();
