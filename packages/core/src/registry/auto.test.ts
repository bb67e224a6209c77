import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AutoProbe, nixDataDir, selectAutoStore } from './auto.js';

const test = suite('auto store selection');

function probe(writable: string[], existing: string[], uid = 1000): AutoProbe {
  return {
    canReadWrite: (p) => writable.includes(p),
    exists: (p) => existing.includes(p) || writable.includes(p),
    uid: () => uid,
    platform: () => 'linux',
  };
}

const none = new Map<string, string>();

test('a writable state directory means the local store', () => {
  assert.equal(selectAutoStore(none, {}, probe(['/nix/var/nix'], [])), {
    scheme: 'local',
    params: none,
  });
  const env = { NIX_STATE_DIR: '/s' };
  assert.is(selectAutoStore(none, env, probe(['/s'], [])).scheme, 'local');
});

test('else an existing daemon socket means the daemon', () => {
  const p = probe([], ['/nix/var/nix', '/nix/var/nix/daemon-socket/socket']);
  assert.is(selectAutoStore(none, {}, p).scheme, 'unix');
  const env = { NIX_DAEMON_SOCKET_PATH: '/run/sock' };
  assert.is(selectAutoStore(none, env, probe([], ['/nix/var/nix', '/run/sock'])).scheme, 'unix');
});

test('params choose the state directory (master): root and state', () => {
  const root = new Map([['root', '/r']]);
  assert.is(selectAutoStore(root, {}, probe(['/r/nix/var/nix'], [])).scheme, 'local');
  assert.is(
    selectAutoStore(root, {}, probe([], ['/r/nix/var/nix/daemon-socket/socket', '/r/nix/var/nix']))
      .scheme,
    'unix',
  );
  const state = new Map([['state', '/st']]);
  assert.is(
    selectAutoStore(state, {}, probe([], ['/st', '/st/daemon-socket/socket'])).scheme,
    'unix',
  );
});

test('no state directory, unprivileged, nothing configured: a chroot store in the data dir', () => {
  const env = { HOME: '/home/alice' };
  const r = selectAutoStore(none, env, probe([], []));
  assert.equal(r.params, new Map([['root', '/home/alice/.local/share/nix/root']]));
  assert.is(
    r.warning,
    '"/nix/var/nix" does not exist, so Nix will use "/home/alice/.local/share/nix/root" as a chroot store',
  );
  const quiet = selectAutoStore(none, env, probe([], ['/home/alice/.local/share/nix/root']));
  assert.is(quiet.warning, undefined);
  assert.is(nixDataDir({ XDG_DATA_HOME: '/x' }), '/x/nix');
  assert.is(nixDataDir({ NIX_DATA_HOME: '/n', XDG_DATA_HOME: '/x' }), '/n');
});

test('the chroot fallback does not apply as root, with params or with NIX_* set', () => {
  assert.equal(selectAutoStore(none, {}, probe([], [], 0)).params, none);
  assert.equal(selectAutoStore(none, { NIX_STORE_DIR: '/s' }, probe([], [])).params, none);
  const params = new Map([['trusted', '1']]);
  assert.equal(selectAutoStore(params, {}, probe([], [])), { scheme: 'local', params });
  assert.equal(selectAutoStore(none, {}, probe([], ['/nix/var/nix'])).params, none);
});

test.run();
