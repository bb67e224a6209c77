// Loading third-party plugins named in configuration: by path (relative to the listing file),
// by directory, by package name; and every way that can fail, each naming the file.
import { writeFileSync } from 'node:fs';
import { loadPlugins, type SettingOrigin, StoreRegistry } from '@strata/core';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import dummyPlugin from '../../plugins/dummy/src/index.js';
import { FIXTURES, messageOf } from './helpers.js';

const test = suite('loading plugins');
const conf: SettingOrigin = { kind: 'nix.conf', file: `${FIXTURES}nix.conf`, line: 4 };
const yaml: SettingOrigin = {
  kind: 'config-file',
  file: `${FIXTURES}strata.config.yaml`,
  path: 'plugins[0]',
};

function fresh() {
  const registry = new StoreRegistry();
  registry.register(dummyPlugin);
  return registry;
}

test('a directory loads every JavaScript file in it, in name order', async () => {
  const registry = fresh();
  const loaded = await loadPlugins(registry, [{ specifier: './dir-plugins', origin: conf }]);
  assert.equal(
    loaded.map((p) => p.name),
    ['alpha-plugin', 'beta-plugin'],
  );
  assert.equal(registry.schemes(), ['alpha', 'beta', 'dummy']);
  const alpha = registry.plugins()[1]!;
  assert.is(alpha.origin, `${FIXTURES}dir-plugins/alpha.mjs`);
  assert.is(alpha.listedIn, `${FIXTURES}nix.conf:4`);
});

test('declaration files beside compiled plugins are skipped; a file listed twice loads once', async () => {
  // dir-plugins holds alpha.d.mts next to alpha.mjs, as tsc leaves them.
  const registry = fresh();
  const twice = [
    { specifier: './dir-plugins', origin: conf },
    { specifier: './dir-plugins/alpha.mjs', origin: yaml },
  ];
  const loaded = await loadPlugins(registry, twice);
  assert.equal(
    loaded.map((p) => p.name),
    ['alpha-plugin', 'beta-plugin'],
  );
});

test('relative specifiers are relative to the file that lists them', async () => {
  const registry = fresh();
  await loadPlugins(registry, [{ specifier: '../../plugins/memory/index.ts', origin: yaml }]);
  assert.ok(registry.findScheme('memory'));
});

test('a package name is resolved from the listing file', async () => {
  const registry = new StoreRegistry();
  await loadPlugins(registry, [
    {
      specifier: '@strata/plugin-dummy',
      origin: { kind: 'config-file', file: `${process.cwd()}/packages/cli/strata.config.yaml` },
    },
  ]);
  assert.equal(registry.schemes(), ['dummy']);
});

const FAILING: Array<[string, SettingOrigin, string]> = [
  [
    './nope.mjs',
    conf,
    `cannot load plugin './nope.mjs' (from ${FIXTURES}nix.conf:4): no such module or file '${FIXTURES}nope.mjs'`,
  ],
  [
    'no-such-package-anywhere',
    yaml,
    `cannot load plugin 'no-such-package-anywhere' (from ${FIXTURES}strata.config.yaml (plugins[0])): no such module or file 'no-such-package-anywhere'`,
  ],
  [
    './throws.mjs',
    conf,
    `cannot load plugin './throws.mjs' (from ${FIXTURES}nix.conf:4): plugin exploded at import time`,
  ],
  [
    './no-default.mjs',
    conf,
    `invalid plugin manifest in ${FIXTURES}no-default.mjs: the module has no default export describing a plugin (expected an object with name, core and stores)`,
  ],
  [
    './bad-manifest.mjs',
    conf,
    `invalid plugin manifest in ${FIXTURES}bad-manifest.mjs: plugin 'bad-manifest-plugin': store 'Broken Store' declares no URL schemes`,
  ],
  [
    './old-core.mjs',
    conf,
    `cannot load plugin './old-core.mjs' (from ${FIXTURES}nix.conf:4): ${FIXTURES}old-core.mjs: plugin 'old-core-plugin' needs @strata/core ^9.0.0, but this is @strata/core 0.1.0`,
  ],
  [
    './dummy-clash.mjs',
    conf,
    `cannot load plugin './dummy-clash.mjs' (from ${FIXTURES}nix.conf:4): ${FIXTURES}dummy-clash.mjs: store URL scheme 'dummy' of plugin 'dummy-clash-plugin' is already registered by plugin '@strata/plugin-dummy'`,
  ],
];

for (const [specifier, origin, message] of FAILING) {
  test(`fails clearly: ${specifier}`, async () => {
    const registry = fresh();
    assert.is(await messageOf(() => loadPlugins(registry, [{ specifier, origin }])), message);
    assert.equal(registry.schemes(), ['dummy'], 'nothing registered');
  });
}

test('a syntax error names the file', () =>
  withTempDir(async (d) => {
    writeFileSync(`${d}/broken.mjs`, 'export default {\n');
    const registry = fresh();
    const m = await messageOf(() =>
      loadPlugins(registry, [{ specifier: `${d}/broken.mjs`, origin: conf }]),
    );
    assert.ok(
      m.startsWith(`cannot load plugin '${d}/broken.mjs' (from ${FIXTURES}nix.conf:4): `),
      m,
    );
  }));

test('Nix shared-object plugins in plugin-files are skipped with a notice', async () => {
  const warnings: string[] = [];
  const registry = fresh();
  await loadPlugins(registry, [{ specifier: '/usr/lib/nix/plugins/libnix-foo.so', origin: conf }], {
    warn: (m) => warnings.push(m),
  });
  assert.equal(warnings, [
    `ignoring plugin '/usr/lib/nix/plugins/libnix-foo.so' (listed in ${FIXTURES}nix.conf:4): it is a Nix plugin (shared object); Strata loads JavaScript plugins`,
  ]);
});

test('loading stops at the first failure; earlier plugins stay registered', async () => {
  const registry = fresh();
  await messageOf(() =>
    loadPlugins(registry, [
      { specifier: './dir-plugins/alpha.mjs', origin: conf },
      { specifier: './throws.mjs', origin: conf },
      { specifier: './dir-plugins/beta.mjs', origin: conf },
    ]),
  );
  assert.equal(registry.schemes(), ['alpha', 'dummy']);
});

test.run();
