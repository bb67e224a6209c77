import { spawnSync } from 'node:child_process';
import { NIX, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Env, nixConfDir, systemNixConfFile, userNixConfFiles } from './locations.js';

const test = suite('nix.conf locations');
const nixTest = requires(test, NIX);

const CASES: Env[] = [
  { HOME: '/h' },
  { HOME: '/h', XDG_CONFIG_HOME: '/x', XDG_CONFIG_DIRS: '/d1:/d2' },
  { HOME: '/h', XDG_CONFIG_HOME: '', XDG_CONFIG_DIRS: '' },
  { HOME: '/h', XDG_CONFIG_DIRS: ':/a::b/:' },
  { HOME: '/h', NIX_USER_CONF_FILES: ':/a::b/:', XDG_CONFIG_HOME: '/x' },
  { HOME: '/h', NIX_USER_CONF_FILES: '' },
  { HOME: '/h', NIX_CONF_DIR: '/x/../y//' },
  { HOME: '/h', NIX_CONF_DIR: '/etc/n' },
];

test('defaults', () => {
  assert.is(systemNixConfFile({}), '/etc/nix/nix.conf');
  assert.is(nixConfDir({ NIX_CONF_DIR: '' }), '/etc/nix');
  assert.equal(userNixConfFiles({ HOME: '/h' }), [
    '/h/.config/nix/nix.conf',
    '/etc/xdg/nix/nix.conf',
  ]);
  assert.equal(
    userNixConfFiles({ HOME: '/h', XDG_CONFIG_HOME: '/x', XDG_CONFIG_DIRS: '/d1:/d2' }),
    ['/x/nix/nix.conf', '/d1/nix/nix.conf', '/d2/nix/nix.conf'],
  );
  assert.equal(userNixConfFiles({ NIX_USER_CONF_FILES: '/a:/b' }), ['/a', '/b']);
  assert.equal(userNixConfFiles({ NIX_USER_CONF_FILES: '' }), []);
});

// `nix-build --verbose --version` prints the files Nix 2.8 uses (spec §4.1).
for (const env of CASES) {
  nixTest(`same files as Nix for ${JSON.stringify(env)}`, () => {
    const r = spawnSync('nix-build', ['--verbose', '--version'], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });
    const system = /^System configuration file: (.*)$/m.exec(r.stdout)?.[1];
    const user = /^User configuration files: (.*)$/m.exec(r.stdout)?.[1];
    assert.is(systemNixConfFile(env), system);
    assert.is(userNixConfFiles(env).join(':'), user);
  });
}

test.run();
