// The plugin without mounts: its manifest, settings, documentation, the store chain read from
// resolved configs, and the remount hook runner. Real-mount scenarios are in test/overlay/.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreRegistry, validatePluginManifest } from '@strata/core';
import { describeStores, describeStoresText } from '@strata/core/settings';
import { localPlugin } from '@strata/plugin-local';
import { rejectsWith, throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkOverlayDepth, MAX_OVERLAY_LEVELS, storeLevel } from './chain.js';
import { localOverlayPlugin } from './index.js';
import { runRemountHook } from './remount-hook.js';

const test = suite('local-overlay plugin');

const registry = new StoreRegistry();
registry.register(localPlugin);
registry.register(localOverlayPlugin);
const features = { features: ['local-overlay-store'] };

test('the manifest is valid and asks the local-fs capability of its lower store', () => {
  validatePluginManifest(localOverlayPlugin, 'built-in');
  const [impl] = localOverlayPlugin.stores;
  assert.is(impl?.experimentalFeature, 'local-overlay-store');
  assert.equal(impl?.lowerStoreCapabilities, { 'lower-store': ['local-fs'] });
});

test('settings: the local store ones plus lower-store, upper-layer, check-mount, remount-hook', () => {
  const names = localOverlayPlugin.stores[0]!.settings.map((d) => d.name);
  for (const d of localPlugin.stores[0]!.settings) assert.ok(names.includes(d.name), d.name);
  assert.equal(names.slice(-4), ['lower-store', 'upper-layer', 'check-mount', 'remount-hook']);
  const config = registry.resolve(
    'local-overlay:///srv/merged?lower-store=/srv/base&upper-layer=/srv/up//&remount-hook=/bin/./hook',
    features,
  );
  assert.is(config.get('root'), '/srv/merged');
  assert.is(config.get('real'), '/srv/merged/nix/store');
  assert.is(config.get('upper-layer'), '/srv/up');
  assert.is(config.get('remount-hook'), '/bin/hook');
  assert.is(config.get('check-mount'), true);
  assert.is(config.lowerStores.get('lower-store')?.get('real'), '/srv/base/nix/store');
  throwsWith(
    () => registry.resolve('local-overlay://?check-mount=maybe', features),
    'STRATA_ERR_SETTING_BAD_BOOL',
  );
  throwsWith(
    () => registry.resolve('local-overlay://?upper-layer=relative', features),
    'STRATA_ERR_SETTING_NOT_ABSOLUTE',
  );
});

test('strata describe documents every setting and the worked layout', () => {
  const docs = describeStores(
    registry.implementations().filter((i) => i.implementation.name.includes('Overlay')),
    { env: {} },
  );
  const text = describeStoresText(docs);
  for (const s of [
    'lower-store',
    'upper-layer',
    'check-mount',
    'remount-hook',
    'root',
    'read-only',
  ]) {
    assert.ok(text.includes(`### ${s}\n`), s);
  }
  assert.ok(text.includes('experimental feature: local-overlay-store'), text);
  const doc = docs[0]?.doc ?? '';
  assert.ok(doc.includes('mount -t overlay overlay -o lowerdir=/mnt/example/store-a/nix/store'));
  assert.ok(doc.includes('/mnt/example/store-b                  upper layer'));
  assert.ok(doc.includes('flat layout'));
});

test('the chain of a nested URL, decoded once per level; flatten order', () => {
  const s1 = 'local-overlay://?root=/s1&lower-store=/l0&upper-layer=/s1-up';
  const s2 = `local-overlay://?root=/s2&upper-layer=/s2-up&lower-store=${encodeURIComponent(s1)}`;
  const config = registry.resolve(s2, features);
  assert.equal(storeLevel(config, '/x'), {
    kind: 'overlay',
    real: '/s2/nix/store',
    upperLayer: '/s2-up',
    lower: {
      kind: 'overlay',
      real: '/s1/nix/store',
      upperLayer: '/s1-up',
      lower: { kind: 'base', real: '/l0/nix/store' },
    },
  });
  checkOverlayDepth(config);
});

test('more than 32 overlay levels are refused', () => {
  let url = '/base';
  for (let i = 1; i <= MAX_OVERLAY_LEVELS + 1; i++) {
    url = `local-overlay://?root=/s${i}&upper-layer=/u${i}&lower-store=${encodeURIComponent(url)}`;
  }
  const config = registry.resolve(url, features);
  throwsWith(
    () => checkOverlayDepth(config),
    'STRATA_ERR_LOCAL_OVERLAY_TOO_DEEP',
    'overlay store "/s33/nix/store" stacks 33 overlay stores on each other; at most 32 are allowed',
  );
  checkOverlayDepth(config.lowerStores.get('lower-store')!);
});

test('the remount hook: argv, exit codes, a missing program', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-hook-'));
  try {
    const ok = join(dir, 'ok.sh');
    writeFileSync(
      ok,
      `#!/bin/sh\n[ "$#" = 1 ] && [ "$1" = '/a b/store' ] && echo ran > ${dir}/ran\n`,
    );
    chmodSync(ok, 0o755);
    await runRemountHook(ok, '/a b/store');
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/bin/sh\nexit 7\n');
    chmodSync(bad, 0o755);
    await rejectsWith(
      () => runRemountHook(bad, '/s'),
      'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_FAILED',
      `program "${bad}" failed with exit code 7`,
    );
    await rejectsWith(
      () => runRemountHook(join(dir, 'absent'), '/s'),
      'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_UNRUNNABLE',
      `cannot run program "${join(dir, 'absent')}": No such file or directory`,
    );
    const notExec = join(dir, 'plain');
    writeFileSync(notExec, '#!/bin/sh\n');
    await rejectsWith(
      () => runRemountHook(notExec, '/s'),
      'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_UNRUNNABLE',
      `cannot run program "${notExec}": Permission denied`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
