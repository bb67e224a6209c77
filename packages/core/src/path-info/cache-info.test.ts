import { throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNixCacheInfo, renderNixCacheInfo } from './cache-info.js';

const test = suite('path-info/cache-info');

const expect = { storeDir: '/nix/store', uri: 'file:///tmp/cache' };

test('V15: what Nix 2.8 writes, and back', () => {
  assert.is(renderNixCacheInfo({ storeDir: '/nix/store' }), 'StoreDir: /nix/store\n');
  assert.equal(parseNixCacheInfo('StoreDir: /nix/store\n', expect), { storeDir: '/nix/store' });
});

test('all three keys, as cache.nixos.org writes them', () => {
  const text = 'StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n';
  const info = parseNixCacheInfo(text, expect);
  assert.equal(info, { storeDir: '/nix/store', wantMassQuery: true, priority: 40 });
  assert.is(renderNixCacheInfo({ ...info, storeDir: '/nix/store' }), text);
  assert.is(
    renderNixCacheInfo({ storeDir: '/nix/store', wantMassQuery: false }),
    'StoreDir: /nix/store\nWantMassQuery: 0\n',
  );
});

test('lenient reading: trimmed values, colon-less and empty lines skipped, last wins', () => {
  const info = parseNixCacheInfo(
    'StoreDir:/nix/store  \r\n\nfoo\nWantMassQuery: 1\nWantMassQuery: yes\nPriority: 10abc\nUnknown: x',
    expect,
  );
  assert.equal(info, { storeDir: '/nix/store', wantMassQuery: false, priority: 10 });
  assert.equal(parseNixCacheInfo(''), {});
  assert.is(parseNixCacheInfo('Priority:  -7').priority, -7);
  assert.is(parseNixCacheInfo('Priority: +7').priority, 7);
});

test('Priority that stoi cannot read fails with "stoi"', () => {
  for (const bad of ['abc', '', '99999999999', '2147483648', '-2147483649', '+-1']) {
    throwsWith(
      () => parseNixCacheInfo(`StoreDir: /nix/store\nPriority: ${bad}\n`, expect),
      'STRATA_ERR_NARINFO_CACHE_PRIORITY',
      'stoi',
    );
  }
  assert.is(parseNixCacheInfo('Priority: 2147483647').priority, 2147483647);
});

test('a store dir other than the client one fails with Nix message', () => {
  throwsWith(
    () => parseNixCacheInfo('StoreDir: /nix/store/\n', expect),
    'STRATA_ERR_NARINFO_CACHE_STORE_DIR',
    "binary cache 'file:///tmp/cache' is for Nix stores with prefix '/nix/store/', not '/nix/store'",
  );
  // Every StoreDir line is checked, even when a later one would match.
  throwsWith(
    () => parseNixCacheInfo('StoreDir: /other\nStoreDir: /nix/store\n', expect),
    'STRATA_ERR_NARINFO_CACHE_STORE_DIR',
    "binary cache 'file:///tmp/cache' is for Nix stores with prefix '/other', not '/nix/store'",
  );
  assert.equal(parseNixCacheInfo('StoreDir: /other\n'), { storeDir: '/other' });
});

test.run();
