import { spawnSync } from 'node:child_process';
import { NIX, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  appendSettingValue,
  isAppendable,
  parseSettingValue,
  renderSettingValue,
  settingTypeName,
  tokenize,
} from './parse.js';
import { canonicalisePath } from './paths.js';
import type { SettingDef, SettingOrigin, SettingType } from './types.js';

const test = suite('setting values');
const nixTest = requires(test, NIX);

const def = (name: string, type: SettingType, dflt: SettingDef['default'] = ''): SettingDef => ({
  name,
  type,
  default: dflt,
  description: 'test',
});
const URL: SettingOrigin = { kind: 'url', url: 'dummy://?x' };
const CONF: SettingOrigin = { kind: 'nix.conf', file: '/etc/nix/nix.conf', line: 3 };
const FLAG: SettingOrigin = { kind: 'flag', flag: '--option' };
const DEFAULT: SettingOrigin = { kind: 'default' };

const bool = def('trusted', { kind: 'bool' }, false);
const priority = def('priority', { kind: 'int', signed: true }, 0);
const cacheSize = def('path-info-cache-size', { kind: 'int', signed: true }, 65536);
const connections = def('max-connections', { kind: 'int' }, 1);
const minFree = def('min-free', { kind: 'size' }, 0n);
const root = def('root', { kind: 'path', optional: true }, undefined);
const store = def('store', { kind: 'path' }, '/nix/store');
const state = def('state', { kind: 'path' }, '/nix/var/nix');

function fails(d: SettingDef, text: string, origin: SettingOrigin, message: string) {
  assert.throws(
    () => parseSettingValue(d, text, origin),
    (e: Error) => {
      assert.is(e.message, message);
      return true;
    },
  );
}

test('booleans: true/yes/1 and false/no/0, exactly', () => {
  for (const t of ['true', 'yes', '1']) assert.is(parseSettingValue(bool, t, URL), true);
  for (const t of ['false', 'no', '0']) assert.is(parseSettingValue(bool, t, URL), false);
  fails(
    bool,
    'True',
    URL,
    "Boolean setting 'trusted' has invalid value 'True' (from store URL 'dummy://?x')",
  );
  fails(
    bool,
    '',
    CONF,
    "Boolean setting 'trusted' has invalid value '' (from /etc/nix/nix.conf:3)",
  );
  fails(bool, ' 1', FLAG, "Boolean setting 'trusted' has invalid value ' 1' (from --option)");
  fails(bool, 'on', DEFAULT, "Boolean setting 'trusted' has invalid value 'on'");
  assert.is(renderSettingValue(bool, true), 'true');
});

test('integers: sign, range, unit suffixes', () => {
  assert.is(parseSettingValue(priority, '-5', URL), -5);
  assert.is(parseSettingValue(priority, '+5', URL), 5);
  assert.is(parseSettingValue(priority, '05', URL), 5);
  assert.is(parseSettingValue(priority, '-0', URL), 0);
  assert.is(parseSettingValue(priority, '-2147483648', URL), -2147483648);
  assert.is(parseSettingValue(priority, '1K', URL), 1024);
  assert.is(parseSettingValue(priority, '2m', URL), 2 * 1024 * 1024);
  assert.is(parseSettingValue(connections, '4294967295', URL), 4294967295);
  for (const bad of ['abc', '99999999999', '2147483648', '0x10', '+-1', '', ' 5', '1.5', '2G']) {
    fails(
      priority,
      bad,
      URL,
      `setting 'priority' has invalid value '${bad}' (from store URL 'dummy://?x')`,
    );
  }
  fails(
    connections,
    '-1',
    CONF,
    "setting 'max-connections' has invalid value '-1' (from /etc/nix/nix.conf:3)",
  );
  assert.is(renderSettingValue(priority, -5), '-5');
});

test('sizes are 64-bit', () => {
  assert.is(parseSettingValue(minFree, '18446744073709551615', URL), 18446744073709551615n);
  assert.is(parseSettingValue(minFree, '1T', URL), 1n << 40n);
  fails(
    minFree,
    '18446744073709551616',
    URL,
    "setting 'min-free' has invalid value '18446744073709551616' (from store URL 'dummy://?x')",
  );
  fails(
    minFree,
    '-1',
    URL,
    "setting 'min-free' has invalid value '-1' (from store URL 'dummy://?x')",
  );
  assert.is(renderSettingValue(minFree, 9223372036854775807n), '9223372036854775807');
  assert.is(settingTypeName(minFree.type), 'uint64');
});

test('paths: canonical, absolute, empty only when optional', () => {
  assert.is(parseSettingValue(store, '/a/../b//c/', URL), '/b/c');
  assert.is(parseSettingValue(store, '/..', URL), '/');
  assert.is(parseSettingValue(root, '', URL), undefined);
  fails(
    store,
    'relative',
    URL,
    `store directory path "relative" is not an absolute path (setting 'store', from store URL 'dummy://?x')`,
  );
  fails(
    store,
    '~/x',
    URL,
    `store directory path "~/x" is not an absolute path (setting 'store', from store URL 'dummy://?x')`,
  );
  fails(
    store,
    '',
    URL,
    "setting 'store' is a path and paths cannot be empty (from store URL 'dummy://?x')",
  );
  fails(
    root,
    'relative',
    CONF,
    `not an absolute path: "relative" (setting 'root', from /etc/nix/nix.conf:3)`,
  );
  fails(state, '', FLAG, "setting 'state' is a path and paths cannot be empty (from --option)");
  assert.is(renderSettingValue(root, undefined), '');
  assert.is(canonicalisePath('x'), undefined);
});

test('strings, lists, sets, maps: tokens without quoting', () => {
  assert.is(parseSettingValue(def('s', { kind: 'string' }), ' a  b ', URL), ' a  b ');
  assert.is(parseSettingValue(def('s', { kind: 'optional-string' }), '', URL), undefined);
  const list = def('l', { kind: 'string-list' }, []);
  assert.equal(parseSettingValue(list, ' b\ta\r\nb ', URL), ['b', 'a', 'b']);
  const set = def('system-features', { kind: 'string-set' }, []);
  assert.equal(parseSettingValue(set, '"z y" x', URL), ['"z', 'x', 'y"']);
  assert.is(renderSettingValue(set, parseSettingValue(set, 'b a b', URL)), 'a b');
  const map = def('m', { kind: 'string-map' }, {});
  assert.equal(parseSettingValue(map, 'a=1 b c=x=y a=2', URL), { a: '1', c: 'x=y' });
  assert.is(renderSettingValue(map, { a: '1', c: 'x=y' }), 'a=1 c=x=y');
  assert.equal(tokenize(''), []);
});

test('extra- appends to lists, unions sets, adds missing map keys, refuses the rest', () => {
  const list = def('substituters', { kind: 'string-list' }, []);
  let v = appendSettingValue(list, [], 'http://a', CONF);
  v = appendSettingValue(list, ['http://b', ...(v as string[])], 'http://c http://b', CONF);
  assert.equal(v, ['http://b', 'http://a', 'http://c', 'http://b']);
  const set = def('s', { kind: 'string-set' }, []);
  assert.equal(appendSettingValue(set, ['b', 'x'], 'a b', CONF), ['a', 'b', 'x']);
  const map = def('m', { kind: 'string-map' }, {});
  assert.equal(appendSettingValue(map, { a: '1' }, 'a=2 b=3', CONF), { a: '1', b: '3' });
  assert.ok(isAppendable(list.type));
  assert.not.ok(isAppendable(priority.type));
  assert.throws(
    () => appendSettingValue(def('cores', { kind: 'int' }, 0), 1, '3', CONF),
    (e: Error) => e.message === "unknown setting 'extra-cores' (from /etc/nix/nix.conf:3)",
  );
});

test('experimental features: unknown names dropped with a warning', () => {
  const f = def('experimental-features', { kind: 'feature-set' }, []);
  const warnings: string[] = [];
  const v = parseSettingValue(f, 'nix-command flakes nope flakes', CONF, {
    warn: (m) => warnings.push(m),
  });
  assert.equal(v, ['flakes', 'nix-command']);
  assert.equal(warnings, ["unknown experimental feature 'nope' (from /etc/nix/nix.conf:3)"]);
  assert.equal(appendSettingValue(f, ['flakes'], 'ca-derivations', CONF), [
    'ca-derivations',
    'flakes',
  ]);
});

test('enums', () => {
  const sandbox = def('sandbox', { kind: 'enum', values: ['true', 'false', 'relaxed'] }, 'true');
  assert.is(parseSettingValue(sandbox, 'relaxed', CONF), 'relaxed');
  fails(
    sandbox,
    'yes',
    CONF,
    "option 'sandbox' has invalid value 'yes' (from /etc/nix/nix.conf:3)",
  );
});

test('store URLs are kept in canonical form; bad ones name the setting', () => {
  const lower = def('lower-store', { kind: 'store-url' }, '');
  assert.is(parseSettingValue(lower, '/srv/b', URL), 'local:///srv/b');
  assert.is(parseSettingValue(lower, 'daemon', URL), 'daemon');
  assert.is(parseSettingValue(lower, '@base', URL), '@base');
  assert.is(parseSettingValue(lower, '', URL), '');
  assert.is(parseSettingValue(lower, 'rel/x', URL, { cwd: '/c' }), 'local:///c/rel/x');
  fails(
    lower,
    'dummy',
    URL,
    "Cannot parse Nix store 'dummy': it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /) (setting 'lower-store', from store URL 'dummy://?x')",
  );
  const subs = def('substituters', { kind: 'store-url-list' }, []);
  assert.equal(parseSettingValue(subs, 'https://a/ /srv/c', CONF), [
    'https://a/',
    'local:///srv/c',
  ]);
});

// Integer and boolean syntax is the same in Nix 2.8 and master (except unit suffixes, which
// only master accepts): compare with real Nix on values it has not seen in the spec.
const DUMMY_CASES: Array<[string, string]> = [
  ['priority', '7'],
  ['priority', '-12'],
  ['priority', '+0'],
  ['priority', '007'],
  ['priority', '2147483647'],
  ['priority', '-2147483649'],
  ['priority', '1e3'],
  ['priority', '--1'],
  ['priority', '٣'],
  ['path-info-cache-size', '-1'],
  ['path-info-cache-size', '4294967295'],
  ['trusted', 'yes'],
  ['trusted', 'no'],
  ['trusted', 'YES'],
  ['trusted', 'tru'],
  ['trusted', '2'],
  ['want-mass-query', '0'],
  ['want-mass-query', 'false '],
];

nixTest('integer and boolean values are accepted and refused as Nix 2.8 does', () => {
  const defs: Record<string, SettingDef> = {
    priority,
    'path-info-cache-size': cacheSize,
    trusted: bool,
    'want-mass-query': def('want-mass-query', { kind: 'bool' }, false),
  };
  for (const [name, value] of DUMMY_CASES) {
    const url = `dummy://?${name}=${encodeURIComponent(value)}`;
    const r = spawnSync('nix', ['store', 'ping', '--store', url], {
      encoding: 'utf8',
      env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
    });
    let ours: string | null = null;
    try {
      parseSettingValue(defs[name]!, value, DEFAULT);
    } catch (e) {
      ours = (e as Error).message;
    }
    const theirs = r.status === 0 ? null : (/^error: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr);
    assert.is(ours, theirs, `${name}=${value}`);
  }
});

nixTest('store directories are canonicalised as Nix 2.8 does', () => {
  for (const dir of ['/a//b/', '/a/./b/..', '/x%20y', '/a/../../c', '/日本/d', '/q?r']) {
    const r = spawnSync(
      'nix',
      [
        'eval',
        '--raw',
        '--store',
        `dummy://?store=${encodeURIComponent(dir)}`,
        '--expr',
        'builtins.storeDir',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
      },
    );
    assert.is(r.status, 0, r.stderr);
    assert.is(parseSettingValue(store, dir, DEFAULT), r.stdout, dir);
  }
});

test.run();
