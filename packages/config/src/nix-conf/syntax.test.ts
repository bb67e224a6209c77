import { isStrataError } from '@strata/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNixConf } from './syntax.js';

const test = suite('nix.conf line grammar');

const F = '/etc/nix/nix.conf';

// spec/config-and-urls.md §4.2 (C2): file contents → the assignments Nix applies.
const GOOD: Array<[string, Array<[string, string]>]> = [
  ['cores = 3', [['cores', '3']]],
  ['cores = 3 # comment\n# whole line', [['cores', '3']]],
  ['  cores  \t =    4   ', [['cores', '4']]],
  ['cores = 3\r\n', [['cores', '3']]],
  ['\tcores\t=\t3\t', [['cores', '3']]],
  ['cores =', [['cores', '']]],
  ['cores = 3 4', [['cores', '3 4']]],
  ['substituters = http://a#frag http://b', [['substituters', 'http://a']]],
  ['post-build-hook = a    b\t c', [['post-build-hook', 'a b c']]],
  ['post-build-hook = b = c', [['post-build-hook', 'b = c']]],
  ['post-build-hook = = x', [['post-build-hook', '= x']]],
  ['post-build-hook = a \\', [['post-build-hook', 'a \\']]],
  ['system-features = "z y" x', [['system-features', '"z y" x']]],
  ['#include nothere', []],
  ['', []],
  ['\n\n   \n', []],
  [
    'cores = 3 #\nmax-jobs = auto',
    [
      ['cores', '3'],
      ['max-jobs', 'auto'],
    ],
  ],
  // A vertical tab is an ordinary character, not a separator.
  ['x = a\vb', [['x', 'a\vb']]],
];

for (const [text, expected] of GOOD) {
  test(`parses ${JSON.stringify(text)}`, () => {
    const got = parseNixConf(text, F)
      .filter((e) => e.kind === 'set')
      .map((e) => [e.name, e.value]);
    assert.equal(got, expected);
  });
}

test('line numbers count every LF-separated line', () => {
  const entries = parseNixConf('# c\n\ncores = 1\n  \nmax-jobs = 2\n', F);
  assert.equal(
    entries.map((e) => e.line),
    [3, 5],
  );
});

test('include and !include take exactly one path', () => {
  assert.equal(parseNixConf('include a.conf\n!include /b.conf # opt', F), [
    { kind: 'include', path: 'a.conf', optional: false, line: 1 },
    { kind: 'include', path: '/b.conf', optional: true, line: 2 },
  ]);
});

// The text after `line` is the line with its comment cut, whitespace kept.
const BAD: Array<[string, string]> = [
  ['cores=5', 'cores=5'],
  ['cores= 3', 'cores= 3'],
  ['cores =3', 'cores =3'],
  ['=', '='],
  ['cores', 'cores'],
  ['  cores   # x', '  cores   '],
  ['include = x', 'include = x'],
  ['include a b', 'include a b'],
  ['include', 'include'],
  ['!include', '!include'],
];

for (const [text, line] of BAD) {
  test(`rejects ${JSON.stringify(text)}`, () => {
    try {
      parseNixConf(`cores = 1\n${text}\n`, F);
      assert.unreachable();
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_CONFIG_SYNTAX'));
      assert.is((e as Error).message, `syntax error in configuration line '${line}' in "${F}"`);
    }
  });
}

test('NIX_CONFIG is named as such in messages', () => {
  assert.throws(
    () => parseNixConf('cores', 'NIX_CONFIG'),
    (e: Error) => e.message === `syntax error in configuration line 'cores' in "NIX_CONFIG"`,
  );
});

test.run();
