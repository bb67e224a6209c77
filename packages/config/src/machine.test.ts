import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  defaultBuilders,
  defaultNixPath,
  defaultSystemFeatures,
  nixLibexecDir,
  nixSystem,
  parseNixPath,
} from './machine.js';

const test = suite('machine defaults');

test('NIX_PATH splits at colons, except inside URIs', () => {
  assert.equal(parseNixPath('a=https://x.org/y:b:channel:foo:c=git://h/x::d'), [
    'a=https://x.org/y',
    'b',
    'channel:foo',
    'c=git://h/x',
    '',
    'd',
  ]);
  assert.equal(parseNixPath(''), []);
  assert.equal(parseNixPath('/a:/b:'), ['/a', '/b']);
  assert.equal(parseNixPath('nixpkgs=ftp://x:y'), ['nixpkgs=ftp', '//x', 'y']);
});

test('nix-path default: $NIX_PATH, else the channel directories that exist', () =>
  withTempDir((d) => {
    assert.equal(defaultNixPath({ NIX_PATH: 'a=/b', HOME: d }), ['a=/b']);
    assert.equal(defaultNixPath({ HOME: d, NIX_STATE_DIR: `${d}/state` }), []);
    mkdirSync(`${d}/.nix-defexpr/channels`, { recursive: true });
    mkdirSync(`${d}/state/profiles/per-user/root/channels/nixpkgs`, { recursive: true });
    assert.equal(defaultNixPath({ HOME: d, NIX_STATE_DIR: `${d}/state` }), [
      `${d}/.nix-defexpr/channels`,
      `nixpkgs=${d}/state/profiles/per-user/root/channels/nixpkgs`,
      `${d}/state/profiles/per-user/root/channels`,
    ]);
  }));

test('builders: @$NIX_CONF_DIR/machines, or the files of NIX_REMOTE_SYSTEMS', () => {
  assert.is(defaultBuilders({}), '@/etc/nix/machines');
  assert.is(defaultBuilders({ NIX_CONF_DIR: '/x/../c/' }), '@/c/machines');
  assert.is(defaultBuilders({ NIX_REMOTE_SYSTEMS: ':/a::b:' }), '@/a @b');
});

test('libexec: $NIX_LIBEXEC_DIR, else next to the nix-store found on PATH', () =>
  withTempDir((d) => {
    assert.is(nixLibexecDir({ NIX_LIBEXEC_DIR: '/opt/../lib//x/' }), '/lib/x');
    mkdirSync(`${d}/prefix/bin`, { recursive: true });
    mkdirSync(`${d}/bin`);
    writeFileSync(`${d}/prefix/bin/nix-store`, '');
    symlinkSync(`${d}/prefix/bin/nix-store`, `${d}/bin/nix-store`);
    assert.is(nixLibexecDir({ PATH: `relative:${d}/empty:${d}/bin` }), `${d}/prefix/libexec`);
    assert.is(nixLibexecDir({ PATH: '' }), '/usr/libexec');
  }));

test('system type and features have Nix’s shape', () => {
  assert.match(nixSystem(), /^[a-z0-9_]+-[a-z]+$/);
  const features = defaultSystemFeatures();
  for (const f of ['benchmark', 'big-parallel', 'nixos-test']) assert.ok(features.includes(f));
  assert.equal(features, [...features].sort());
});

test.run();
