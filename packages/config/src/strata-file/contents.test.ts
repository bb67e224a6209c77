import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { settingText, strataFileContents } from './contents.js';

const test = suite('Strata config file contents');

const F = '/p/strata.config.yaml';

test('native values become nix.conf text', () => {
  assert.is(settingText(true, 'x'), 'true');
  assert.is(settingText(false, 'x'), 'false');
  assert.is(settingText(12, 'x'), '12');
  assert.is(settingText(18446744073709551615n, 'x'), '18446744073709551615');
  assert.is(settingText(null, 'x'), '');
  assert.is(settingText('a  b', 'x'), 'a  b');
  assert.is(settingText(['a', 1, true], 'x'), 'a 1 true');
  assert.is(settingText([], 'x'), '');
  assert.is(settingText({ 'github.com': 'tok', b: 2 }, 'x'), 'github.com=tok b=2');
});

test('values that cannot be expressed are refused', () => {
  const refuse = (v: unknown, message: string) =>
    assert.throws(
      () => settingText(v, 'k'),
      (e: Error) => e.message === message,
    );
  refuse(['a b'], 'k[0] must be a non-empty token without whitespace, not "a b"');
  refuse([''], 'k[0] must be a non-empty token without whitespace, not ""');
  refuse({ 'a=b': 'c' }, `k has a key that is not a word without '=': "a=b"`);
  refuse([['x']], 'k[0] has a value that is not a string, number, boolean or list of them');
  refuse(Number.NaN, 'k has a value that is not a string, number, boolean or list of them');
});

test('settings, stores, plugins and overlays are split out with origins', () => {
  const c = strataFileContents(F, {
    $schema: './schema.json',
    cores: 4,
    'extra-substituters': ['https://a.example.org'],
    stores: { ci: 'local?root=/srv/ci', 'team.2': { scheme: 'local', root: '/srv/t' } },
    plugins: ['./p.mjs', '../q/r.js', '/abs/s.js', 'node:fs'],
    overlays: [{ mountPoint: '/m', lowerdir: ['/l1', '/l2'], upperdir: null, neededForBoot: true }],
  });
  assert.equal(c.settings, [
    { name: 'cores', text: '4', origin: { kind: 'config-file', file: F, path: 'cores' } },
    {
      name: 'extra-substituters',
      text: 'https://a.example.org',
      origin: { kind: 'config-file', file: F, path: 'extra-substituters' },
    },
  ]);
  assert.equal([...c.stores.keys()], ['ci', 'team.2']);
  assert.equal(c.stores.get('ci')!.origin, { kind: 'config-file', file: F, path: 'stores.ci' });
  assert.equal(
    c.plugins.map((p) => p.resolved),
    ['/p/p.mjs', '/q/r.js', '/abs/s.js', 'node:fs'],
  );
  assert.equal(c.overlays, [
    {
      mountPoint: '/m',
      lowerdir: ['/l1', '/l2'],
      upperdir: null,
      neededForBoot: true,
      origin: { kind: 'config-file', file: F, path: 'overlays[0]' },
    },
  ]);
  assert.equal(strataFileContents(F, undefined).settings, []);
});

const BAD: Array<[unknown, string]> = [
  [[1], 'the configuration must be an object'],
  [{ stores: [] }, "'stores' must map names to stores"],
  [{ stores: { 'a b': 'local' } }, "store name 'a b' must be letters, digits, '.', '_' or '-'"],
  [{ stores: { a: 3 } }, 'stores.a must be a store URL or an object'],
  [{ stores: { a: { root: '/x' } } }, "stores.a needs exactly one of 'url' and 'scheme'"],
  [
    { stores: { a: { url: 'local', scheme: 'local' } } },
    "stores.a needs exactly one of 'url' and 'scheme'",
  ],
  [
    { stores: { a: { scheme: 'lo cal' } } },
    "stores.a.scheme must be a URL scheme such as 'local-overlay'",
  ],
  [
    { stores: { a: { url: 'local', authority: 'x' } } },
    "stores.a.authority must be a string, given together with 'scheme'",
  ],
  [
    { stores: { a: { scheme: 'local', 'lower-store': '@ bad' } } },
    "stores.a.lower-store refers to '@ bad', which is not a valid store name",
  ],
  [
    { stores: { a: { scheme: 'local', x: ['a b'] } } },
    'stores.a.x[0] must be a non-empty token without whitespace, not "a b"',
  ],
  [{ plugins: 'p.js' }, "'plugins' must be a list of module specifiers"],
  [{ plugins: [''] }, "'plugins' must be a list of module specifiers"],
  [{ overlays: {} }, "'overlays' must be a list of mounts"],
  [{ overlays: [3] }, 'overlays[0] must be an object'],
  [{ overlays: [{ lowerdir: ['/a'] }] }, 'overlays[0].mountPoint must be an absolute path'],
  [
    { overlays: [{ mountPoint: '/m/', lowerdir: ['/a'] }] },
    "overlays[0].mountPoint must not end in '/'",
  ],
  [
    { overlays: [{ mountPoint: '/m', lowerdir: [] }] },
    'overlays[0].lowerdir must be a non-empty list of absolute paths',
  ],
  [
    { overlays: [{ mountPoint: '/m', lowerdir: ['rel'] }] },
    'overlays[0].lowerdir[0] must be an absolute path',
  ],
  [
    { overlays: [{ mountPoint: '/m', lowerdir: ['/a/'] }] },
    "overlays[0].lowerdir[0] must not end in '/'",
  ],
  [
    { overlays: [{ mountPoint: '/m', lowerdir: ['/a'], workdir: 'w' }] },
    'overlays[0].workdir must be an absolute path',
  ],
  [
    { overlays: [{ mountPoint: '/m', lowerdir: ['/a'], device: 1 }] },
    'overlays[0].device must be a string',
  ],
  [
    { overlays: [{ mountPoint: '/m', lowerdir: ['/a'], devcie: 'x' }] },
    "overlays[0]: unknown key 'devcie'",
  ],
  [
    { 'trusted-users': { a: [1] } },
    'trusted-users.a has a value that is not a string, number, boolean or list of them',
  ],
];

for (const [contents, reason] of BAD) {
  test(`refuses ${JSON.stringify(contents)}`, () => {
    assert.throws(
      () => strataFileContents(F, contents),
      (e: Error) => e.message === `invalid Strata configuration file '${F}': ${reason}`,
    );
  });
}

test.run();
