import type { SettingOrigin } from '@strata/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderValue } from './configuration.js';
import { GLOBAL_SETTING_SYNTAX, GLOBAL_SETTINGS } from './global-settings.js';
import { cpuCount } from './machine.js';
import { SettingsTable } from './settings-table.js';

const test = suite('settings table');

const at = (line: number): SettingOrigin => ({ kind: 'nix.conf', file: '/etc/nix/nix.conf', line });

function table(lines: Array<[string, string]>, warn?: (m: string) => void): SettingsTable {
  const t = new SettingsTable(GLOBAL_SETTINGS, {
    env: { HOME: '/h' },
    syntax: GLOBAL_SETTING_SYNTAX,
    ...(warn ? { warn } : {}),
  });
  lines.forEach(([n, v], i) => {
    t.set(n, v, at(i + 1));
  });
  return t;
}

const shown = (t: SettingsTable, name: string) => {
  const s = t.resolved().get(name)!;
  return renderValue(s.def, s.value);
};

test('91 settings, sorted, names and aliases unique', () => {
  assert.is(GLOBAL_SETTINGS.length, 91);
  const names = GLOBAL_SETTINGS.flatMap((d) => [d.name, ...(d.aliases ?? [])]);
  assert.is(new Set(names).size, names.length);
  const canonical = GLOBAL_SETTINGS.map((d) => d.name);
  assert.equal(canonical, [...canonical].sort());
});

// spec §4.4 (C4): lists keep order and duplicates; `extra-` appends to the current value.
test('extra- appends to the current value, through aliases too', () => {
  const t = table([
    ['extra-substituters', 'http://a'],
    ['substituters', 'http://b'],
    ['extra-substituters', 'http://c http://b'],
  ]);
  assert.is(shown(t, 'substituters'), 'http://b http://c http://b');
  const u = table([
    ['binary-caches', 'http://a'],
    ['extra-binary-caches', 'http://b'],
  ]);
  assert.is(shown(u, 'substituters'), 'http://a http://b');
});

test('sets sort and de-duplicate; extra- unions', () => {
  const t = table([
    ['system-features', '"z y" x x'],
    ['extra-system-features', 'a x'],
    ['trusted-substituters', 'http://z http://y http://z'],
    ['extra-trusted-substituters', 'http://a http://y'],
  ]);
  assert.is(shown(t, 'system-features'), '"z a x y"');
  assert.is(shown(t, 'trusted-substituters'), 'http://a http://y http://z');
});

test('maps: first key of a value wins, extra- never overwrites, printed sorted', () => {
  const t = table([['access-tokens', 'b=2 a=1 junk c=2=3 a=9']]);
  assert.is(shown(t, 'access-tokens'), 'a=1 b=2 c=2=3');
  t.set('extra-access-tokens', 'a=3 d=4', at(2));
  assert.is(shown(t, 'access-tokens'), 'a=1 b=2 c=2=3 d=4');
});

test('experimental features: extra- then assignment replaces; unknown names warn', () => {
  const warnings: string[] = [];
  let t = table(
    [
      ['extra-experimental-features', 'flakes'],
      ['experimental-features', 'nix-command'],
    ],
    (m) => warnings.push(m),
  );
  assert.is(shown(t, 'experimental-features'), 'nix-command');
  t = table(
    [
      ['experimental-features', 'nix-command'],
      ['extra-experimental-features', 'flakes bogus'],
    ],
    (m) => warnings.push(m),
  );
  assert.is(shown(t, 'experimental-features'), 'flakes nix-command');
  assert.equal(warnings, ["unknown experimental feature 'bogus' (from /etc/nix/nix.conf:2)"]);
});

test('special syntaxes: max-jobs auto, sandbox relaxed through an alias, booleans', () => {
  const t = table([
    ['max-jobs', 'auto'],
    ['build-use-chroot', 'relaxed'],
    ['keep-outputs', 'yes'],
    ['gc-keep-derivations', '0'],
  ]);
  assert.is(t.resolved().get('max-jobs')!.value, cpuCount());
  assert.is(shown(t, 'sandbox'), 'relaxed');
  assert.is(shown(t, 'keep-outputs'), 'true');
  assert.is(shown(t, 'keep-derivations'), 'false');
});

test('64-bit values stay exact', () => {
  const t = table([
    ['min-free', '18446744073709551615'],
    ['max-silent-time', '-9007199254740991'],
  ]);
  assert.is(shown(t, 'min-free'), '18446744073709551615');
  assert.is(shown(t, 'max-free'), '18446744073709551615');
  assert.is(shown(t, 'max-silent-time'), '-9007199254740991');
});

test('unknown names: extra- of a non-list, typos; the first value is kept', () => {
  const t = table([
    ['zeta', '1'],
    ['extra-cores', '3'],
    ['zeta', '5'],
  ]);
  assert.equal(
    t.unknown().map((u) => [u.name, u.value, u.origin]),
    [
      ['extra-cores', '3', at(2)],
      ['zeta', '1', at(1)],
    ],
  );
  assert.is(shown(t, 'cores'), String(cpuCount()));
});

test('bad values throw Nix messages with the origin', () => {
  const cases: Array<[string, string, string]> = [
    ['cores', 'abc', "setting 'cores' has invalid value 'abc'"],
    ['keep-outputs', 'True', "Boolean setting 'keep-outputs' has invalid value 'True'"],
    ['sandbox', 'yes', "option 'sandbox' has invalid value 'yes'"],
    ['max-jobs', '-1', "configuration setting 'max-jobs' should be 'auto' or an integer"],
    ['build-max-jobs', 'x', "configuration setting 'max-jobs' should be 'auto' or an integer"],
  ];
  for (const [name, value, message] of cases) {
    const t = table([]);
    assert.throws(
      () => t.set(name, value, at(7)),
      (e: Error) => e.message === `${message} (from /etc/nix/nix.conf:7)`,
    );
  }
});

test('overridden is set by every assignment and cleared by resetOverridden', () => {
  const t = table([['cores', '3']]);
  assert.is(t.resolved().get('cores')!.overridden, true);
  assert.is(t.resolved().get('timeout')!.overridden, false);
  t.resetOverridden();
  assert.is(t.resolved().get('cores')!.overridden, false);
  assert.equal(t.resolved().get('cores')!.origin, at(1));
});

test.run();
