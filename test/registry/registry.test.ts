import { isStrataError, type StoreConfig, StoreRegistry } from '@strata/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import dummyPlugin from '../../plugins/dummy/src/index.js';
import { messageOf, spyPlugin, testRegistry } from './helpers.js';

const test = suite('store registry');

test('a duplicate scheme is an error naming both plugins; nothing changes', async () => {
  const { registry } = await testRegistry();
  const before = registry.schemes();
  const clash = {
    ...dummyPlugin,
    name: 'another-dummy',
    stores: [
      { ...dummyPlugin.stores[0]!, name: 'Another Dummy Store', schemes: ['zzz', 'memory'] },
    ],
  };
  assert.is(
    await messageOf(() => registry.register(clash, '/x/another.js')),
    "store URL scheme 'memory' of plugin 'another-dummy' is already registered by plugin 'strata-test-plugin-memory'",
  );
  assert.equal(registry.schemes(), before);
  assert.is(registry.findScheme('zzz'), undefined);
});

test('a duplicate plugin or store name is refused', async () => {
  const { registry } = await testRegistry();
  assert.is(
    await messageOf(() => registry.register(dummyPlugin, '/elsewhere/dummy.js')),
    "plugin '@strata/plugin-dummy' from /elsewhere/dummy.js is already registered (from built-in)",
  );
  const sameStoreName = {
    ...dummyPlugin,
    name: 'x',
    stores: [{ ...dummyPlugin.stores[0]!, schemes: ['x'] }],
  };
  assert.is(
    await messageOf(() => registry.register(sameStoreName)),
    "Already registered store with name 'Dummy Store' (plugin 'x' and plugin '@strata/plugin-dummy')",
  );
});

test('manifests are checked at registration, with the reason', async () => {
  const base = dummyPlugin.stores[0]!;
  const bad: Array<[unknown, string]> = [
    [
      undefined,
      'the module has no default export describing a plugin (expected an object with name, core and stores)',
    ],
    [{ core: '^0.1.0', stores: [] }, 'the plugin has no name'],
    [
      { name: 'p', stores: [base] },
      "plugin 'p' must say which @strata/core versions it supports ('core', a semver range such as '^0.1.0')",
    ],
    [
      { name: 'p', core: 'banana', stores: [base] },
      "plugin 'p' must say which @strata/core versions it supports ('core', a semver range such as '^0.1.0')",
    ],
    [{ name: 'p', core: '^0.1.0', stores: [] }, "plugin 'p' describes no stores"],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, schemes: [] }] },
      "plugin 'p': store 'Dummy Store' declares no URL schemes",
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, schemes: ['Bad_Scheme'] }] },
      "plugin 'p': store 'Dummy Store' declares the invalid URL scheme 'Bad_Scheme'",
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, authority: 'host' }] },
      `plugin 'p': store 'Dummy Store' has authority kind "host"; expected one of none, path, url, any`,
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, settings: [] }] },
      "plugin 'p': store 'Dummy Store' lacks the common store settings (build its schema on STORE_SETTINGS)",
    ],
    [
      {
        name: 'p',
        core: '^0.1.0',
        stores: [
          {
            ...base,
            settings: [
              ...base.settings,
              { name: 'Bad', type: { kind: 'bool' }, default: false, description: 'x' },
            ],
          },
        ],
      },
      `plugin 'p': store 'Dummy Store' has a setting with an invalid name "Bad"`,
    ],
    [
      {
        name: 'p',
        core: '^0.1.0',
        stores: [
          {
            ...base,
            settings: [
              ...base.settings,
              { name: 'x', type: { kind: 'float' }, default: 1, description: 'x' },
            ],
          },
        ],
      },
      `plugin 'p': setting 'x' of store 'Dummy Store' has an unknown type {"kind":"float"}`,
    ],
    [
      {
        name: 'p',
        core: '^0.1.0',
        stores: [
          {
            ...base,
            settings: [
              ...base.settings,
              { name: 'x', type: { kind: 'bool' }, default: 'yes', description: 'x' },
            ],
          },
        ],
      },
      "plugin 'p': the default of setting 'x' does not fit its type 'bool' (store 'Dummy Store')",
    ],
    [
      {
        name: 'p',
        core: '^0.1.0',
        stores: [
          {
            ...base,
            settings: [
              ...base.settings,
              { name: 'x', type: { kind: 'bool' }, default: false, description: '' },
            ],
          },
        ],
      },
      "plugin 'p': setting 'x' of store 'Dummy Store' has no description",
    ],
    [
      {
        name: 'p',
        core: '^0.1.0',
        stores: [
          {
            ...base,
            settings: [
              ...base.settings,
              {
                name: 'x',
                type: { kind: 'bool' },
                default: false,
                description: 'd',
                aliases: ['trusted'],
              },
            ],
          },
        ],
      },
      "plugin 'p': store 'Dummy Store' declares 'trusted' twice (settings 'trusted' and 'x')",
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, experimentalFeature: 'warp-drive' }] },
      `plugin 'p': store 'Dummy Store' is gated by the unknown experimental feature "warp-drive"`,
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, capabilities: ['Write'] }] },
      `plugin 'p': store 'Dummy Store' has invalid capabilities ["Write"]`,
    ],
    [
      {
        name: 'p',
        core: '^0.1.0',
        stores: [{ ...base, lowerStoreCapabilities: { trusted: ['local-fs'] } }],
      },
      "plugin 'p': store 'Dummy Store' demands capabilities of 'trusted', which is not one of its store URL settings",
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, doc: '' }] },
      "plugin 'p': store 'Dummy Store' has no documentation",
    ],
    [
      { name: 'p', core: '^0.1.0', stores: [{ ...base, open: undefined }] },
      "plugin 'p': store 'Dummy Store' has no open function",
    ],
  ];
  for (const [manifest, reason] of bad) {
    const registry = new StoreRegistry();
    assert.is(
      await messageOf(() => registry.register(manifest, '/plugins/p.js')),
      `invalid plugin manifest in /plugins/p.js: ${reason}`,
    );
    assert.equal(registry.plugins(), []);
  }
  const registry = new StoreRegistry();
  assert.is(
    await messageOf(() =>
      registry.register({ name: 'old', core: '^2.0.0', stores: [] }, '/plugins/old.js'),
    ),
    "plugin 'old' needs @strata/core ^2.0.0, but this is @strata/core 0.1.0",
  );
});

test('resolution: settings from the URL, defaults, origins, the opened reference', async () => {
  const { registry } = await testRegistry();
  const config = registry.resolve('dummy://?priority=7&trusted=1&store=/a//b/', { env: {} });
  assert.is(config.get('priority'), 7);
  assert.is(config.get('trusted'), true);
  assert.is(config.get('store'), '/a/b');
  assert.is(config.get('path-info-cache-size'), 0);
  assert.is(config.get('want-mass-query'), false);
  assert.equal(config.settings.get('priority')!.origin, {
    kind: 'url',
    url: 'dummy://?priority=7&trusted=1&store=/a//b/',
  });
  assert.is(config.settings.get('want-mass-query')!.overridden, false);
  assert.is(config.renderReference(), 'dummy://?priority=7&store=/a/b&trusted=true');
  assert.is(
    registry.resolve('dummy://', { env: { NIX_STORE_DIR: '/opt/s//x/' } }).get('store'),
    '/opt/s/x',
  );
  assert.is(registry.resolve('dummy://', { env: { NIX_STORE: '/n' } }).get('store'), '/n');
  assert.is(registry.resolve('dummy:', { env: {} }).get('store'), '/nix/store');
});

test('computed defaults read the global settings and features', async () => {
  const { registry } = await testRegistry();
  const globals = new Map([
    [
      'system-features',
      {
        def: {
          name: 'system-features',
          type: { kind: 'string-set' as const },
          default: [],
          description: 'x',
        },
        value: ['kvm', 'big-parallel'],
        origin: { kind: 'default' as const },
        overridden: false,
      },
    ],
    [
      'require-sigs',
      {
        def: {
          name: 'require-sigs',
          type: { kind: 'bool' as const },
          default: true,
          description: 'x',
        },
        value: false,
        origin: { kind: 'flag' as const, flag: '--option' },
        overridden: true,
      },
    ],
  ]);
  const config = registry.resolve('local', { globals, features: ['ca-derivations'], env: {} });
  assert.equal(config.get('system-features'), ['big-parallel', 'ca-derivations', 'kvm']);
  assert.is(config.get('require-sigs'), false);
  assert.is(registry.resolve('local', { env: {} }).get('require-sigs'), true);
});

test('local-FS stores: the URL path is the root unless the query says otherwise', async () => {
  const { registry } = await testRegistry();
  const env = { NIX_STATE_DIR: '/st', NIX_LOG_DIR: '/lg' };
  const plain = registry.resolve('local', { env });
  assert.equal(
    ['root', 'state', 'log', 'real', 'store'].map((n) => plain.get(n)),
    [undefined, '/st', '/lg', '/nix/store', '/nix/store'],
  );
  const chroot = registry.resolve('/srv/r/', { env });
  assert.equal(
    ['root', 'state', 'log', 'real', 'store'].map((n) => chroot.get(n)),
    ['/srv/r', '/srv/r/nix/var/nix', '/srv/r/nix/var/log/nix', '/srv/r/nix/store', '/nix/store'],
  );
  // As Nix: a local store with no settings given renders as `local`, the root not shown.
  assert.is(chroot.renderReference(), 'local');
  assert.is(registry.resolve('local:///A?root=/B', { env }).get('root'), '/B');
  assert.is(registry.resolve('local:///srv/a%20b', { env }).get('root'), '/srv/a b');
  assert.is(registry.resolve('rel/dir', { env, cwd: '/home/u' }).get('root'), '/home/u/rel/dir');
  assert.is(registry.resolve('local?root=', { env }).get('root'), undefined);
  assert.is(registry.resolve('local?state=/s1&root=/r9', { env }).get('state'), '/s1');
  assert.is(registry.resolve('daemon', { env }).renderReference(), 'daemon');
  assert.is(
    registry.resolve('daemon?max-connections=7', { env }).renderReference(),
    'unix://?max-connections=7',
  );
  // One store, however it is written.
  assert.is(
    registry.resolve('/srv/r', { env }).key,
    registry.resolve('local?root=/srv/r', { env }).key,
  );
  assert.is(registry.resolve('auto', { env }).key, registry.resolve('local://', { env }).key);
  assert.is(
    await messageOf(() => registry.resolve('local://rel', { env })),
    `not an absolute path: "rel" (the path of store URL 'local://rel')`,
  );
});

test('url authorities need a host; trailing slashes are dropped', async () => {
  const { registry } = await testRegistry();
  assert.is(registry.resolve('https://foo.bar.baz/a/b/').authorityUrl, 'https://foo.bar.baz/a/b');
  assert.is(registry.resolve('http://localhost:1/').authorityUrl, 'http://localhost:1');
  assert.is(
    await messageOf(() => registry.resolve('https://')),
    "`https` Store requires a non-empty authority in Store URL 'https://'",
  );
  assert.is(
    await messageOf(() => registry.resolve('http://:80/x')),
    "`http` Store requires a non-empty authority in Store URL 'http://:80/x'",
  );
});

const FAILURES: Array<[string, string]> = [
  [
    'dummy',
    "Cannot parse Nix store 'dummy': it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /)",
  ],
  ['bogus://x', "don't know how to open Nix store with scheme 'bogus'"],
  ['Dummy://', "don't know how to open Nix store with scheme 'Dummy'"],
  ['daemon://', "don't know how to open Nix store with scheme 'daemon'"],
  ['dummy://x', '`dummy` store URIs must not contain an authority part x'],
  ['dummy:/x', '`dummy` store URIs must not contain an authority part /x'],
  [
    'dummy://?foo=1',
    "unknown setting 'foo' in store URL 'dummy://?foo=1'; the settings of Dummy Store are: store, path-info-cache-size, trusted, priority, want-mass-query, system-features",
  ],
  [
    'dummy://?max-connections=7',
    "unknown setting 'max-connections' in store URL 'dummy://?max-connections=7'; the settings of Dummy Store are: store, path-info-cache-size, trusted, priority, want-mass-query, system-features",
  ],
  [
    'dummy://?extra-system-features=foo',
    "unknown setting 'extra-system-features' in store URL 'dummy://?extra-system-features=foo'; the settings of Dummy Store are: store, path-info-cache-size, trusted, priority, want-mass-query, system-features",
  ],
  [
    'dummy://?trusted=True',
    "Boolean setting 'trusted' has invalid value 'True' (from store URL 'dummy://?trusted=True')",
  ],
  [
    'dummy://?trusted=',
    "Boolean setting 'trusted' has invalid value '' (from store URL 'dummy://?trusted=')",
  ],
  [
    'dummy://?priority=abc',
    "setting 'priority' has invalid value 'abc' (from store URL 'dummy://?priority=abc')",
  ],
  [
    'dummy://?priority=99999999999',
    "setting 'priority' has invalid value '99999999999' (from store URL 'dummy://?priority=99999999999')",
  ],
  [
    'dummy://?priority=2;trusted=1',
    "setting 'priority' has invalid value '2;trusted=1' (from store URL 'dummy://?priority=2;trusted=1')",
  ],
  [
    'dummy://?store=relative',
    `store directory path "relative" is not an absolute path (setting 'store', from store URL 'dummy://?store=relative')`,
  ],
  [
    'dummy://?store=',
    "setting 'store' is a path and paths cannot be empty (from store URL 'dummy://?store=')",
  ],
  [
    'dummy://?store=~/x',
    `store directory path "~/x" is not an absolute path (setting 'store', from store URL 'dummy://?store=~/x')`,
  ],
  [
    'local?root=relative',
    `not an absolute path: "relative" (setting 'root', from store URL 'local?root=relative')`,
  ],
  [
    'unix://?path=/x',
    "unknown setting 'path' in store URL 'unix://?path=/x'; the settings of Spy Daemon Store are: store, path-info-cache-size, trusted, priority, want-mass-query, system-features, root, state, log, real, max-connections",
  ],
  [
    'gated://',
    "experimental Nix feature 'local-overlay-store' is disabled; add '--extra-experimental-features local-overlay-store' to enable it",
  ],
  [
    'gated://?priority=x',
    "setting 'priority' has invalid value 'x' (from store URL 'gated://?priority=x')",
  ],
  [
    'dummy://?x=%zz',
    "invalid URI query 'x=%zz': bad percent escape '%zz' in the query (store URL 'dummy://?x=%zz')",
  ],
  [
    'layer://?lower-store=dummy://',
    "store 'dummy://' cannot be the 'lower-store' of Layer Store 'layer://?lower-store=dummy://': it lacks the capability 'referrers'",
  ],
  [
    'layer://?lower-store=dummy://?x=1',
    "unknown setting 'x' in store URL 'dummy://?x=1'; the settings of Dummy Store are: store, path-info-cache-size, trusted, priority, want-mass-query, system-features",
  ],
  [
    'layer://?lower-store=dummy',
    "Cannot parse Nix store 'dummy': it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /) (setting 'lower-store', from store URL 'layer://?lower-store=dummy')",
  ],
  ['layer://?lower-store=@nowhere', "no store named '@nowhere' is configured (configured: none)"],
];

for (const [url, message] of FAILURES) {
  test(`fails before opening anything: ${url}`, async () => {
    const { registry, log } = await testRegistry();
    assert.is(await messageOf(() => registry.openStore(url, { env: {} })), message);
    assert.equal(log.opened, []);
  });
}

test('the unknown-scheme error lists what is registered', async () => {
  const { registry } = await testRegistry();
  try {
    registry.resolve('s3://bucket');
    assert.unreachable();
  } catch (e) {
    assert.ok(isStrataError(e, 'STRATA_ERR_STORE_UNKNOWN_SCHEME'));
    assert.is(
      e.hint,
      'the registered schemes are: dummy, gated, http, https, layer, local, memory, unix',
    );
  }
});

test('warnings: alias conflicts, gated settings, items without =', async () => {
  const { registry } = await testRegistry();
  const warnings: string[] = [];
  const config = registry.resolve('layer://?lower=memory://&lower-store=memory://?label=x&flag', {
    warn: (m) => warnings.push(m),
  });
  assert.is(config.lowerStores.get('lower-store')!.get('label'), 'x');
  const local = registry.resolve('local?read-only=true', {
    warn: (m) => warnings.push(m),
    env: {},
  });
  assert.is(local.get('read-only'), false);
  assert.is(local.renderReference(), 'local');
  assert.equal(warnings, [
    "dubious URI query 'flag' is missing equal sign '=', ignoring",
    "setting 'lower' is set, but it's an alias of 'lower-store' which is also set",
    "Ignoring setting 'read-only' because experimental feature 'read-only-local-store' is not enabled",
  ]);
  assert.is(
    registry
      .resolve('local?read-only=true', { features: ['read-only-local-store'], env: {} })
      .get('read-only'),
    true,
  );
  assert.is(
    registry
      .resolve('layer://?lower=memory://?label=y')
      .lowerStores.get('lower-store')!
      .get('label'),
    'y',
  );
});

test('a gated store opens once its feature is enabled', async () => {
  const { registry, log } = await testRegistry();
  const store = await registry.openStore('gated://?priority=3', {
    features: new Set(['local-overlay-store']),
  });
  assert.equal(log.opened, ['gated://?priority=3']);
  await registry.closeStore(store);
  assert.equal(log.closed, ['gated://?priority=3']);
});

test('auto picks through the registry', async () => {
  const { registry } = await testRegistry();
  const config: StoreConfig = registry.resolve('auto?root=/r', { env: {} });
  assert.is(config.scheme, 'local');
  assert.is(config.get('root'), '/r');
  assert.is(config.renderReference(), 'local://?root=/r');
});

test('registries share nothing', async () => {
  const a = new StoreRegistry();
  const b = new StoreRegistry();
  a.register(dummyPlugin);
  assert.ok(a.findScheme('dummy'));
  assert.is(b.findScheme('dummy'), undefined);
  assert.is.not(a.container, b.container);
  const log = { opened: [], closed: [] };
  b.register(spyPlugin(log));
  assert.is(a.findScheme('local'), undefined);
});

test.run();
