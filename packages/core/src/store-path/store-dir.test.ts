import { throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_STORE_DIR, StoreDir } from './store-dir.js';

const test = suite('store-path/store-dir');

const H = 'xrabnx1r49hn890prhx86h6iyn19p976';
const P = `/nix/store/${H}-hello.txt`;

test('the default is /nix/store; others must be absolute and canonical', () => {
  assert.is(new StoreDir().path, DEFAULT_STORE_DIR);
  assert.is(DEFAULT_STORE_DIR, '/nix/store');
  assert.is(`${new StoreDir('/opt/store')}`, '/opt/store');
  for (const bad of [
    '',
    '/',
    'nix/store',
    '/nix/store/',
    '/nix//store',
    '/nix/./store',
    '/nix/x/../store',
  ]) {
    throwsWith(
      () => new StoreDir(bad),
      'STRATA_ERR_STORE_DIR_INVALID',
      `store directory '${bad}' must be an absolute path without a trailing slash`,
    );
  }
});

test('parsePath canonicalises, checks the parent, validates the base name; print inverts', () => {
  const dir = new StoreDir();
  for (const form of [
    P,
    `${P}/`,
    `/nix//store/${H}-hello.txt`,
    `/nix/x/../store/./${H}-hello.txt`,
  ]) {
    const sp = dir.parsePath(form);
    assert.is(sp.baseName, `${H}-hello.txt`, form);
    assert.is(dir.print(sp), P);
  }
  assert.ok(dir.isStorePath(P));
  assert.not.ok(dir.isStorePath(`${P}/bin`));
  assert.not.ok(dir.isStorePath('/nix/store'));
  assert.not.ok(dir.isStorePath(`/nix/store/${H}`));
  assert.not.ok(dir.isStorePath('relative'));
  throwsWith(
    () => dir.parsePath('/nix/store'),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    "path '/nix/store' is not in the Nix store",
  );
  throwsWith(
    () => dir.parsePath('/nix/store/'),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    "path '/nix/store' is not in the Nix store",
  );
  throwsWith(
    () => dir.parsePath(`${P}/bin/x`),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    `path '${P}/bin/x' is not in the Nix store`,
  );
  throwsWith(
    () => dir.parsePath(`/nix/storex/${H}-a`),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    `path '/nix/storex/${H}-a' is not in the Nix store`,
  );
  throwsWith(
    () => dir.parsePath(`nix/store/${H}-a`),
    'STRATA_ERR_STORE_PATH_NOT_ABSOLUTE',
    `not an absolute path: 'nix/store/${H}-a'`,
  );
  throwsWith(
    () => dir.parsePath(`/nix/store/${H}`),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    `'${H}' is too short to be a valid store path`,
  );
  throwsWith(
    () => dir.parsePath(`/nix/store/${H}-..`),
    'STRATA_ERR_STORE_PATH_DOT_NAME',
    `path '/nix/store/${H}-..' is not a valid store path: name '..' is not allowed`,
  );
  // A path of another store dir is not in this one.
  const opt = new StoreDir('/opt/store');
  throwsWith(
    () => opt.parsePath(P),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    `path '${P}' is not in the Nix store`,
  );
  assert.is(opt.print(dir.parsePath(P)), `/opt/store/${H}-hello.txt`);
});

test('toStorePath maps paths inside a store object', () => {
  const dir = new StoreDir();
  const { storePath, rest } = dir.toStorePath(`${P}/bin/x`);
  assert.is(dir.print(storePath), P);
  assert.is(rest, '/bin/x');
  assert.is(dir.toStorePath(P).rest, '');
  assert.is(dir.toStorePath(`${P}//share/./doc/`).rest, '/share/doc');
  assert.ok(dir.isInStore(`${P}/bin`));
  assert.ok(dir.isInStore('/nix/store/x'));
  assert.not.ok(dir.isInStore('/nix/store'));
  assert.not.ok(dir.isInStore('/nix/store/'));
  assert.not.ok(dir.isInStore('/nix/storex/a'));
  assert.not.ok(dir.isInStore('nix/store/a'));
  throwsWith(
    () => dir.toStorePath('/nix/store'),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    "path '/nix/store' is not in the Nix store",
  );
  throwsWith(
    () => dir.toStorePath('/usr/bin/env'),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    "path '/usr/bin/env' is not in the Nix store",
  );
  throwsWith(
    () => dir.toStorePath(`/nix/store/${H}/bin`),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    `'${H}' is too short to be a valid store path`,
  );
});

test.run();
