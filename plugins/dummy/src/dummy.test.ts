import { spawnSync } from 'node:child_process';
import { StoreRegistry } from '@strata/core';
import { NIX, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import dummyPlugin from './index.js';

const test = suite('dummy store');
const nixTest = requires(test, NIX);
const registry = new StoreRegistry();
registry.register(dummyPlugin);
const env = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };
const ABSENT = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x';

async function failure(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

test('empty, and refuses writes naming itself and the operation', async () => {
  const store = await registry.openStore('dummy://', { env: {} });
  assert.is(store.url, 'dummy://');
  assert.equal([...store.capabilities], []);
  assert.is(await store.isValidPath(ABSENT), false);
  assert.is(await failure(() => store.queryPathInfo(ABSENT)), `path '${ABSENT}' is not valid`);
  assert.is(
    await failure(() => store.addTextToStore('a', 'b')),
    "operation 'addTextToStore' is not supported by store 'dummy://'",
  );
  assert.is(
    await failure(() => store.addToStore('/etc/hostname')),
    "operation 'addToStore' is not supported by store 'dummy://'",
  );
  assert.is(
    await failure(() => store.queryReferrers(ABSENT)),
    "operation 'queryReferrers' is not supported by store 'dummy://'",
  );
  assert.is(
    await failure(() => store.queryAllValidPaths()),
    "operation 'queryAllValidPaths' is not supported by store 'dummy://'",
  );
  assert.is(
    await failure(async () => store.narFromPath(ABSENT)),
    "operation 'narFromPath' is not supported by store 'dummy://'",
  );
  assert.is(
    await failure(() => store.collectGarbage({ action: 'return-dead' })),
    "operation 'collectGarbage' is not supported by store 'dummy://'",
  );
  await registry.closeStore(store);
});

test('settings: store directory, priority; authority refused', async () => {
  const store = await registry.openStore('dummy://?store=/a%20b&priority=-5', { env: {} });
  assert.is(store.storeDir, '/a b');
  assert.is(store.url, 'dummy://?priority=-5&store=/a%20b');
  await registry.closeStore(store);
  assert.is(
    await failure(() => registry.openStore('dummy://host')),
    '`dummy` store URIs must not contain an authority part host',
  );
});

nixTest('behaves as Nix 2.8’s dummy store where 2.8 has an answer', async () => {
  const store = await registry.openStore('dummy://', { env: {} });
  const refs = spawnSync('nix-store', ['--store', 'dummy://', '-q', '--references', ABSENT], {
    encoding: 'utf8',
    env,
  });
  assert.is(refs.stderr.trim(), `error: ${await failure(() => store.queryPathInfo(ABSENT))}`);
  const text = spawnSync(
    'nix',
    ['eval', '--store', 'dummy://', '--expr', 'builtins.toFile "a" "b"'],
    { encoding: 'utf8', env },
  );
  // Nix names the store by its 2.8 display string 'dummy'; Strata by its reference 'dummy://'.
  assert.is(
    text.stderr.trim(),
    "error: operation 'addTextToStore' is not supported by store 'dummy'",
  );
  assert.is(
    await failure(() => store.addTextToStore('a', 'b')),
    "operation 'addTextToStore' is not supported by store 'dummy://'",
  );
  const referrers = spawnSync('nix-store', ['--store', 'dummy://', '-q', '--referrers', ABSENT], {
    encoding: 'utf8',
    env,
  });
  assert.match(referrers.stderr, /operation 'queryReferrers' is not supported/);
  for (const dir of ['/x', '/a b', '/q/../r']) {
    const url = `dummy://?store=${encodeURIComponent(dir)}`;
    const ours = await registry.openStore(url, { env: {} });
    const theirs = spawnSync(
      'nix',
      ['eval', '--raw', '--store', url, '--expr', 'builtins.storeDir'],
      { encoding: 'utf8', env },
    );
    assert.is(ours.storeDir, theirs.stdout);
    await registry.closeStore(ours);
  }
  await registry.closeStore(store);
});

test.run();
