import { parseStoreReference, type SettingOrigin } from '@strata/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveNamedStoreUrl } from './named-stores.js';
import type { NamedStore, NamedStoreDefinition } from './strata-file/contents.js';

const test = suite('named stores');

const F = '/p/strata.config.yaml';
const origin = (name: string): SettingOrigin => ({
  kind: 'config-file',
  file: F,
  path: `stores.${name}`,
});
const stores = (defs: Record<string, NamedStoreDefinition>): Map<string, NamedStore> =>
  new Map(
    Object.entries(defs).map(([name, definition]) => [
      name,
      { name, definition, origin: origin(name) },
    ]),
  );

test('a URL string stays that store, canonically rendered', () => {
  const s = stores({
    a: 'daemon',
    b: 'local?root=/srv/b',
    c: '/srv/c',
    d: 'https://cache.example.org/',
  });
  assert.is(resolveNamedStoreUrl('a', s), 'daemon');
  assert.is(resolveNamedStoreUrl('b', s), 'local://?root=/srv/b');
  assert.is(resolveNamedStoreUrl('c', s), 'local:///srv/c');
  assert.is(resolveNamedStoreUrl('d', s), 'https://cache.example.org/');
});

test("relative paths start from the config file's directory, wherever the command runs", () => {
  const s = stores({
    a: './l0',
    b: { url: '../l3' },
    c: { scheme: 'local', root: './r', 'store-dir-label': '.x' },
  });
  for (const cwd of ['/elsewhere', '/p/sub/deeper']) {
    assert.is(resolveNamedStoreUrl('a', s, { cwd }), 'local:///p/l0');
    assert.is(resolveNamedStoreUrl('b', s, { cwd }), 'local:///l3');
    assert.is(resolveNamedStoreUrl('c', s, { cwd }), 'local://?root=/p/r&store-dir-label=.x');
  }
});

test('an object: scheme or url, plus settings as native values', () => {
  const s = stores({
    a: { scheme: 'local', root: '/srv/a', 'require-sigs': false, priority: 10 },
    b: { url: 'daemon', trusted: true },
    c: { url: 'local', 'system-features': ['kvm', 'big-parallel'] },
    d: { scheme: 'ssh-ng', authority: 'builder@host', 'remote-store': '@a' },
    e: { url: 'local?root=/x', state: '/y' },
  });
  assert.is(resolveNamedStoreUrl('a', s), 'local://?priority=10&require-sigs=false&root=/srv/a');
  assert.is(resolveNamedStoreUrl('b', s), 'unix://?trusted=true');
  assert.is(resolveNamedStoreUrl('c', s), 'local://?system-features=kvm%20big-parallel');
  assert.is(
    resolveNamedStoreUrl('d', s),
    'ssh-ng://builder@host?remote-store=local://?priority%3D10%26require-sigs%3Dfalse%26root%3D/srv/a',
  );
  assert.is(resolveNamedStoreUrl('e', s), 'local://?root=/x&state=/y');
});

test('nested overlays three deep: each level decodes back to the level below', () => {
  const s = stores({
    base: { scheme: 'local', root: '/srv/base', 'read-only': true },
    team: {
      scheme: 'local-overlay',
      root: '/srv/team',
      'upper-layer': '/srv/team/upper',
      'lower-store': '@base',
    },
    job: {
      scheme: 'local-overlay',
      root: '/srv/job 7',
      'upper-layer': '/srv/job 7/upper',
      'lower-store': '@team',
    },
    inline: {
      scheme: 'local-overlay',
      root: '/srv/i',
      'upper-layer': '/srv/i/u',
      'lower-store': { scheme: 'local', root: '/srv/b&c=d' },
    },
  });
  const job = resolveNamedStoreUrl('job', s);
  const level1 = parseStoreReference(job);
  assert.is(level1.params.get('root'), '/srv/job 7');
  assert.is(level1.params.get('lower-store'), resolveNamedStoreUrl('team', s));
  const level2 = parseStoreReference(level1.params.get('lower-store')!);
  assert.is(level2.params.get('lower-store'), resolveNamedStoreUrl('base', s));
  const level3 = parseStoreReference(level2.params.get('lower-store')!);
  assert.equal(
    [...level3.params],
    [
      ['read-only', 'true'],
      ['root', '/srv/base'],
    ],
  );
  assert.is(
    job,
    'local-overlay://?lower-store=local-overlay://?lower-store%3Dlocal://?read-only%253Dtrue%2526root%253D/srv/base%26root%3D/srv/team%26upper-layer%3D/srv/team/upper&root=/srv/job%207&upper-layer=/srv/job%207/upper',
  );
  const inline = parseStoreReference(resolveNamedStoreUrl('inline', s));
  assert.is(
    parseStoreReference(inline.params.get('lower-store')!).params.get('root'),
    '/srv/b&c=d',
  );
});

test('a named store as the base of another: its settings, some changed or added', () => {
  const s = stores({
    l0: '/srv/l0',
    s1: {
      scheme: 'local-overlay',
      root: '/srv/s1',
      'upper-layer': '/srv/u1',
      'lower-store': '@l0',
    },
    frozen: { url: '@s1', 'check-mount': false, root: '/srv/s1b' },
  });
  const frozen = parseStoreReference(resolveNamedStoreUrl('frozen', s));
  assert.equal(Object.fromEntries(frozen.params), {
    'check-mount': 'false',
    'lower-store': 'local:///srv/l0',
    root: '/srv/s1b',
    'upper-layer': '/srv/u1',
  });
});

test('errors: unknown names, cycles, a setting given twice', () => {
  const s = stores({
    a: { url: 'local-overlay://', 'lower-store': '@b' },
    b: { scheme: 'local-overlay', 'lower-store': '@c' },
    c: '@a',
    d: { url: 'local?root=/x', root: '/y' },
    e: { scheme: 'local-overlay', 'lower-store': { url: 'not a store' } },
    f: { url: 'nope' },
  });
  assert.throws(
    () => resolveNamedStoreUrl('zz', s),
    (e: Error) =>
      e.message === "no store named '@zz' is configured (configured: @a, @b, @c, @d, @e, @f)",
  );
  const dangling = stores({ a: '@b', c: { scheme: 'local-overlay', 'lower-store': '@q' } });
  assert.throws(
    () => resolveNamedStoreUrl('c', dangling),
    (e: Error) =>
      e.message ===
      "invalid Strata configuration file '/p/strata.config.yaml': stores.c.lower-store: refers to '@q': no such store is configured (configured: @a, @c)",
  );
  assert.throws(
    () => resolveNamedStoreUrl('x', new Map()),
    (e: Error) => e.message === "no store named '@x' is configured (configured: none)",
  );
  assert.throws(
    () => resolveNamedStoreUrl('a', s),
    (e: Error) => e.message === 'store reference cycle: @a -> @b -> @c -> @a',
  );
  assert.throws(
    () => resolveNamedStoreUrl('d', s),
    (e: Error) =>
      e.message ===
      "invalid Strata configuration file '/p/strata.config.yaml': stores.d: 'root' is given both in the store's url and as a field",
  );
  assert.throws(
    () => resolveNamedStoreUrl('e', s),
    (e: Error) =>
      e.message.startsWith(
        "invalid Strata configuration file '/p/strata.config.yaml': stores.e.lower-store.url: Cannot parse Nix store 'not a store'",
      ),
  );
  assert.throws(
    () => resolveNamedStoreUrl('f', s),
    (e: Error) =>
      e.message.startsWith(
        "invalid Strata configuration file '/p/strata.config.yaml': stores.f.url: Cannot parse Nix store 'nope'",
      ),
  );
});

test.run();
