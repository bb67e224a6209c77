import { spawnSync } from 'node:child_process';
import { requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mountUnitName, systemdEscapePath } from './systemd-escape.js';

const test = suite('systemd-escape --path');

// spec/local-overlay.md §8.6, verified there against systemd 252.
const GOLDEN: Array<[string, string]> = [
  ['/mnt/a-b', 'mnt-a\\x2db'],
  ['/mnt/my store', 'mnt-my\\x20store'],
  ['/nix/store', 'nix-store'],
  ['/', '-'],
  ['/mnt/foo//bar/', 'mnt-foo-bar'],
  ['/a/./b', 'a-b'],
  ['/.hidden', '\\x2ehidden'],
  ['/mnt/.hidden', 'mnt-.hidden'],
  ['/mnt/ü', 'mnt-\\xc3\\xbc'],
  ['/mnt/a:b,c', 'mnt-a:b\\x2cc'],
  ['/mnt/a_b.c', 'mnt-a_b.c'],
  ['/a~b', 'a\\x7eb'],
  ['/a@b', 'a\\x40b'],
  ['/tab\tx', 'tab\\x09x'],
  ['/sysroot/nix/.rw-store/store', 'sysroot-nix-.rw\\x2dstore-store'],
];

test('golden values of the spec', () => {
  for (const [path, escaped] of GOLDEN) assert.is(systemdEscapePath(path), escaped, path);
  assert.is(mountUnitName('/mnt/a-b'), 'mnt-a\\x2db.mount');
});

test('a .. component is refused with systemd-escape’s message', () => {
  assert.throws(
    () => systemdEscapePath('/a/../b'),
    (e: Error) =>
      e.message === "Input '/a/../b' is not a normalized file system path, failed to escape.",
  );
});

const SYSTEMD_ESCAPE = {
  name: 'systemd-escape',
  check: () =>
    spawnSync('systemd-escape', ['--version']).status === 0 ? null : 'systemd-escape not installed',
};
const withSystemd = requires(test, SYSTEMD_ESCAPE);

// Fresh cases: dashes, spaces, non-ASCII (2-, 3- and 4-byte UTF-8), punctuation, control bytes.
const FRESH = [
  '/srv/team-a/nix store',
  '/mnt/ünï cødé/日本/🦀',
  '/-leading-dash/x',
  '/a..b/.c/..d',
  '/x/ !"#$%&\'()*+,;<=>?@[\\]^`{|}~',
  '/x/\x01\x7f',
  '//double//slashes//',
  '/.a/.b/./c.',
  '/x/a:b_c.d-e',
];

withSystemd('matches the real systemd-escape --path on fresh paths', () => {
  for (const path of [...GOLDEN.map(([p]) => p), ...FRESH]) {
    const r = spawnSync('systemd-escape', ['--path', '--', path], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(systemdEscapePath(path), r.stdout.replace(/\n$/, ''), path);
  }
});

test.run();
