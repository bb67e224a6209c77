import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStoreReference, renderStoreReference } from './reference.js';
import { referenceTree, renderReferenceTree, renderReferenceTreeText } from './tree.js';

const test = suite('reference trees');

test('without a registry, values with :// are nested references', () => {
  const tree = referenceTree('x://?a=y://?b%3D1&c=plain&d=://x');
  assert.equal(tree.params, {
    a: {
      reference: 'y://?b=1',
      variant: 'specified',
      scheme: 'y',
      authority: '',
      params: { b: '1' },
    },
    c: 'plain',
    d: '://x',
  });
  assert.is(
    renderReferenceTreeText(tree),
    'x://\n├── a = y://\n│   └── b = 1\n├── c = plain\n└── d = ://x\n',
  );
});

const RENDER: Array<[unknown, string]> = [
  ['auto', 'auto'],
  ['/srv/a b', 'local:///srv/a%20b'],
  [{ variant: 'daemon' }, 'daemon'],
  [{ variant: 'daemon', params: { 'max-connections': 2 } }, 'unix://?max-connections=2'],
  [{ variant: 'local', params: { root: '/r' } }, 'local://?root=/r'],
  [{ variant: 'auto', params: { root: '/r' } }, 'auto?root=/r'],
  [{ scheme: 'dummy' }, 'dummy://'],
  [
    { scheme: 'ssh-ng', authority: 'me@[::1]:22', params: { compress: true } },
    'ssh-ng://me@[::1]:22?compress=true',
  ],
  [{ scheme: 'local', path: '/a b/c' }, 'local:///a%20b/c'],
  [{ scheme: 'x', params: { l: ['a', 'b'], n: null, e: '' } }, 'x://?e=&l=a%20b&n='],
  [
    { scheme: 'x', params: { s: { scheme: 'y', params: { t: 'a&b=c' } } } },
    'x://?s=y://?t%3Da%2526b%253Dc',
  ],
  [{ reference: 'dummy://?b=1&a=2' }, 'dummy://?a=2&b=1'],
  [{ reference: 'dummy://', params: { a: 1 } }, 'dummy://?a=1'],
];

test('trees render to canonical references', () => {
  for (const [tree, url] of RENDER) {
    const out = renderReferenceTree(tree);
    assert.is(out, url, JSON.stringify(tree));
    assert.is(renderStoreReference(parseStoreReference(out)), out, 'canonical');
  }
});

const BAD: Array<[unknown, string]> = [
  [
    42,
    'invalid store reference tree at $: expected a store reference (a string) or an object with scheme and params',
  ],
  [
    { scheme: 'x', colour: 'red' },
    "invalid store reference tree at $: unknown key 'colour' (expected scheme, authority or path, variant, params)",
  ],
  [{ scheme: '1x' }, 'invalid store reference tree at $.scheme: invalid scheme "1x"'],
  [
    { scheme: 'x', path: 'rel' },
    'invalid store reference tree at $.path: expected an absolute path',
  ],
  [
    { scheme: 'x', path: '/a', authority: 'b' },
    'invalid store reference tree at $: give either authority or path, not both',
  ],
  [
    { scheme: 'x', authority: 'a?b=1' },
    "invalid store reference tree at $.authority: 'a?b=1' is not an authority and path",
  ],
  [
    { scheme: 'x', params: [] },
    'invalid store reference tree at $.params: expected an object of parameters',
  ],
  [{ params: {} }, 'invalid store reference tree at $: needs a scheme, a variant or a reference'],
  [
    { scheme: 'x', params: { a: { variant: 'remote' } } },
    'invalid store reference tree at $.params.a: variant must be auto, local or daemon (or give a scheme), not "remote"',
  ],
  [
    { scheme: 'x', authority: 'h h' },
    "Cannot parse Nix store 'x://h h': character ' ' is not allowed in the host name",
  ],
];

test('bad trees say where and why', () => {
  for (const [tree, message] of BAD) {
    assert.throws(
      () => renderReferenceTree(tree),
      (e: Error) => e.message === message,
      message,
    );
  }
});

test.run();
