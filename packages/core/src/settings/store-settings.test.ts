import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  defaultStoreDir,
  defaultValue,
  extendSchema,
  LOCAL_FS_STORE_SETTINGS,
  STORE_SETTINGS,
  STORE_SETTINGS_BY_NAME,
} from './store-settings.js';
import type { SettingValue } from './types.js';

const test = suite('store settings schemas');

function defaults(
  schema: typeof STORE_SETTINGS,
  env: Record<string, string>,
  global: Record<string, SettingValue> = {},
) {
  const own: Record<string, SettingValue> = {};
  for (const d of schema) own[d.name] = defaultValue(d, { own, global, env });
  return own;
}

test('common settings in Nix order with Nix defaults', () => {
  assert.equal(
    STORE_SETTINGS.map((d) => d.name),
    ['store', 'path-info-cache-size', 'trusted', 'priority', 'want-mass-query', 'system-features'],
  );
  assert.equal(defaults(STORE_SETTINGS, {}), {
    store: '/nix/store',
    'path-info-cache-size': 65536,
    trusted: false,
    priority: 0,
    'want-mass-query': false,
    'system-features': [],
  });
});

test('the store directory comes from NIX_STORE_DIR, then NIX_STORE (empty = unset)', () => {
  assert.is(defaultStoreDir({ NIX_STORE_DIR: '/opt/s//x/' }), '/opt/s/x');
  assert.is(defaultStoreDir({ NIX_STORE_DIR: '/a', NIX_STORE: '/b' }), '/a');
  assert.is(defaultStoreDir({ NIX_STORE_DIR: '', NIX_STORE: '/b' }), '/b');
});

test('system-features: global plus feature-implied ones', () => {
  const v = defaults(
    STORE_SETTINGS,
    {},
    {
      'system-features': ['kvm', 'benchmark'],
      'experimental-features': ['recursive-nix', 'dynamic-derivations'],
    },
  );
  assert.equal(v['system-features'], ['benchmark', 'builder-rpc-v0', 'kvm', 'recursive-nix']);
});

test('local-FS directories follow root, else the environment', () => {
  const plain = defaults(LOCAL_FS_STORE_SETTINGS, {
    NIX_STATE_DIR: '/st',
    NIX_LOG_DIR: '/lg',
    NIX_STORE_DIR: '/s',
  });
  assert.equal([plain.root, plain.state, plain.log, plain.real], [undefined, '/st', '/lg', '/s']);
  const own: Record<string, SettingValue> = { store: '/s', root: '/r/' };
  const ctx = { own, global: {}, env: { NIX_STATE_DIR: '/st' } };
  const byName = Object.fromEntries(LOCAL_FS_STORE_SETTINGS.map((d) => [d.name, d]));
  assert.is(defaultValue(byName.state!, ctx), '/r/nix/var/nix');
  assert.is(defaultValue(byName.log!, ctx), '/r/nix/var/log/nix');
  assert.is(defaultValue(byName.real!, ctx), '/r/nix/store');
});

test('extendSchema replaces in place and appends', () => {
  const s = extendSchema(STORE_SETTINGS, [
    { ...STORE_SETTINGS_BY_NAME['path-info-cache-size']!, default: 0 },
    { name: 'extra', type: { kind: 'bool' }, default: false, description: 'x' },
  ]);
  assert.equal(
    s.map((d) => d.name),
    [...STORE_SETTINGS.map((d) => d.name), 'extra'],
  );
  assert.is(s[1]!.default, 0);
});

test.run();
