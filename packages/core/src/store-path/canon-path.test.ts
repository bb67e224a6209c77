import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { baseNameOf, canonPath, dirOf } from './canon-path.js';

const test = suite('store-path/canon-path');

test('canonPath collapses slashes, . and .., and drops a trailing slash', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['//', '/'],
    ['/nix/store', '/nix/store'],
    ['/nix/store/', '/nix/store'],
    ['/nix//store///x', '/nix/store/x'],
    ['/nix/./store/.', '/nix/store'],
    ['/nix/x/../store/a', '/nix/store/a'],
    ['/..', '/'],
    ['/../../nix', '/nix'],
    ['/a/b/../../..', '/'],
    ['/a/.../b', '/a/.../b'],
    ['/a/..b/.c', '/a/..b/.c'],
  ];
  for (const [input, output] of cases) assert.is(canonPath(input), output, input);
});

test('canonPath agrees with a component-by-component walk on random paths', () => {
  // Canonical input is returned as it is, without the walk: the two must never differ.
  const walk = (path: string) => {
    const parts: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  };
  const pieces = ['/', 'a', '.', '..', '\n', 'b.', '.c', '...'];
  for (let i = 0; i < 20000; i++) {
    let path = '/';
    for (let n = Math.floor(Math.random() * 7); n > 0; n--) {
      path += pieces[Math.floor(Math.random() * pieces.length)];
    }
    assert.is(canonPath(path), walk(path), JSON.stringify(path));
  }
});

test('canonPath refuses relative paths', () => {
  for (const bad of ['', 'nix/store', './x', '../x']) {
    try {
      canonPath(bad);
      assert.unreachable(bad);
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_STORE_PATH_NOT_ABSOLUTE'));
      assert.is(e.message, `not an absolute path: '${bad}'`);
    }
  }
});

test('dirOf and baseNameOf of canonical paths', () => {
  assert.is(dirOf('/nix/store/abc'), '/nix/store');
  assert.is(dirOf('/nix'), '/');
  assert.is(dirOf('/'), '/');
  assert.is(baseNameOf('/nix/store/abc'), 'abc');
  assert.is(baseNameOf('/nix'), 'nix');
});

test.run();
