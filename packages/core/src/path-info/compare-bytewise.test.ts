import { randomInt } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareBytewise } from './path-info.js';

const test = suite('compareBytewise: byte-wise UTF-8 order without encoding');

/** The definition: compare the UTF-8 encodings. */
const byBytes = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

test('store paths and ASCII order as plain bytes', () => {
  const paths = [
    '/nix/store/0000000000000000000000000000000a-b',
    '/nix/store/0000000000000000000000000000000a-a',
    '/nix/store/0000000000000000000000000000000a-',
    '/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-Z',
    '/nix/store/ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ-z',
    '/nix/store',
    '',
    'a',
    'A',
    '+',
    '~',
  ];
  for (const a of paths) {
    for (const b of paths) assert.is(compareBytewise(a, b), byBytes(a, b), `${a} vs ${b}`);
  }
  assert.equal(
    [...paths].sort(compareBytewise),
    [...paths].sort((a, b) => byBytes(a, b)),
  );
});

test('non-ASCII where UTF-16 order differs from UTF-8 order', () => {
  // U+FF61 sorts before U+1F642 (🙂) in UTF-8 but after its surrogates in UTF-16.
  const cases: Array<[string, string]> = [
    ['\uff61', '🙂'],
    ['a\uff61', 'a🙂'],
    ['\ue000', '\ud800\udc00'],
    ['é', 'z'],
    ['日本', '日'],
    // Lone surrogates encode as U+FFFD: equal to it and to each other, byte-wise.
    ['\ud800', '\ufffd'],
    ['\udc00', '\ud800'],
    ['x\ud83d', 'x\ud83d\ude42'],
    ['\ud83d', '\ud83d\ude42'],
    ['\ud83dx', '\ud83d\ude42'],
    ['\uffff', '\ud83d\ude42'],
  ];
  for (const [a, b] of cases) {
    assert.is(compareBytewise(a, b), byBytes(a, b), `${escape(a)} vs ${escape(b)}`);
    assert.is(compareBytewise(b, a), byBytes(b, a), `${escape(b)} vs ${escape(a)}`);
  }
});

test('random strings over the tricky ranges agree with the encoded comparison', () => {
  const alphabet = [0x41, 0x7a, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00];
  alphabet.push(0xdfff, 0xe000, 0xfffd, 0xffff);
  const unit = () =>
    randomInt(3) === 0 ? randomInt(0x10000) : alphabet[randomInt(alphabet.length)]!;
  const randomString = () => String.fromCharCode(...Array.from({ length: randomInt(5) }, unit));
  for (let i = 0; i < 20000; i++) {
    const a = randomString();
    // Often a shared prefix, so the difference falls anywhere.
    const b =
      randomInt(2) === 0 ? a.slice(0, randomInt(a.length + 1)) + randomString() : randomString();
    assert.is(compareBytewise(a, b), byBytes(a, b), `${escape(a)} vs ${escape(b)}`);
  }
});

test.run();
