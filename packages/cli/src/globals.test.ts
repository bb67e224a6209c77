import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { extractGlobalFlags } from './globals.js';

const test = suite('extractGlobalFlags');

test('global flags anywhere; the rest in order; nothing after -- is taken', () => {
  const { flags, rest } = extractGlobalFlags([
    'add',
    '--store',
    'local',
    'x',
    '--option',
    'cores',
    '4',
    '-vv',
    '--json',
    '--extra-substituters',
    'https://c',
    '--',
    '--store',
  ]);
  assert.equal(rest, ['add', 'x', '--', '--store']);
  assert.is(flags.store, 'local');
  assert.equal(flags.options, [
    ['cores', '4'],
    ['extra-substituters', 'https://c'],
  ]);
  assert.is(flags.verbose, 2);
  assert.is(flags.json, true);
});

test('--store and --option store: the one given last wins, as in Nix', () => {
  const later = extractGlobalFlags(['--store', 'dummy://', '--option', 'store', '/s', 'info']);
  assert.is(later.flags.store, undefined);
  assert.equal(later.flags.options, [['store', '/s']]);
  const earlier = extractGlobalFlags(['--option', 'store', '/s', '--store=dummy://', 'info']);
  assert.is(earlier.flags.store, 'dummy://');
});

test('a flag without its argument is a usage error', () => {
  for (const argv of [['--store'], ['--option', 'cores'], ['--extra-substituters']]) {
    assert.throws(() => extractGlobalFlags(argv), /requires/);
  }
});

test.run();
