import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CORE_VERSION, isValidRange, satisfiesRange } from './version.js';

const test = suite('core version ranges');

test('CORE_VERSION is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.is(CORE_VERSION, pkg.version);
});

const CASES: Array<[string, string, boolean]> = [
  ['0.1.0', '^0.1.0', true],
  ['0.1.9', '^0.1.0', true],
  ['0.2.0', '^0.1.0', false],
  ['0.0.3', '^0.0.3', true],
  ['0.0.4', '^0.0.3', false],
  ['1.4.0', '^1.2.3', true],
  ['2.0.0', '^1.2.3', false],
  ['1.2.9', '~1.2.3', true],
  ['1.3.0', '~1.2.3', false],
  ['1.9.0', '~1', true],
  ['0.1.0', '>=0.1.0 <1.0.0', true],
  ['1.0.0', '>=0.1.0 <1.0.0', false],
  ['0.1.0', '0.1.x', true],
  ['0.1.0', '0.1', true],
  ['0.2.0', '0.1', false],
  ['0.1.0', '*', true],
  ['0.1.0', '^2.0.0 || ^0.1.0', true],
  ['0.1.0', '>0.1', false],
  ['0.2.0', '>0.1', true],
  ['0.1.5', '<=0.1', true],
  ['0.1.0', '=0.1.0', true],
  ['0.1.1', '0.1.0', false],
];

test('ranges', () => {
  for (const [v, r, ok] of CASES) assert.is(satisfiesRange(v, r), ok, `${v} ${r}`);
  assert.not.ok(isValidRange('banana'));
  assert.not.ok(isValidRange('^x.y'));
  assert.ok(isValidRange('>=1.0.0 <2'));
});

test.run();
