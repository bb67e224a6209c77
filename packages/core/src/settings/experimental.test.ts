import { spawnSync } from 'node:child_process';
import { NIX, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EXPERIMENTAL_FEATURES,
  isFeatureEnabled,
  parseExperimentalFeatures,
  requireExperimentalFeature,
} from './experimental.js';

const test = suite('experimental features');
const nixTest = requires(test, NIX);

test('the master list, sorted and complete', () => {
  assert.is(EXPERIMENTAL_FEATURES.length, 22);
  assert.equal([...EXPERIMENTAL_FEATURES], [...EXPERIMENTAL_FEATURES].sort());
  for (const f of [
    'local-overlay-store',
    'read-only-local-store',
    'nix-command',
    'flakes',
    'no-url-literals',
  ]) {
    assert.ok((EXPERIMENTAL_FEATURES as readonly string[]).includes(f), f);
  }
});

test('the gate uses the master message', () => {
  assert.throws(
    () => requireExperimentalFeature(['nix-command'], 'local-overlay-store'),
    (e: Error) =>
      e.message ===
      "experimental Nix feature 'local-overlay-store' is disabled; add '--extra-experimental-features local-overlay-store' to enable it",
  );
  requireExperimentalFeature(new Set(['local-overlay-store']), 'local-overlay-store');
  assert.throws(
    () => requireExperimentalFeature([], 'warp-drive'),
    (e: Error) => e.message === "unknown experimental feature 'warp-drive' (used as a gate)",
  );
});

test('flakes implies fetch-tree; unknown names warn', () => {
  assert.ok(isFeatureEnabled(['flakes'], 'fetch-tree'));
  assert.not.ok(isFeatureEnabled(['fetch-tree'], 'flakes'));
  const warnings: string[] = [];
  assert.equal(
    parseExperimentalFeatures(['nix-command', 'x', 'flakes', 'nix-command'], (m) =>
      warnings.push(m),
    ),
    ['flakes', 'nix-command'],
  );
  assert.equal(warnings, ["unknown experimental feature 'x'"]);
});

nixTest('every name Nix 2.8 knows is known here', () => {
  for (const f of [
    'ca-derivations',
    'fetch-closure',
    'flakes',
    'impure-derivations',
    'nix-command',
    'no-url-literals',
    'recursive-nix',
    'not-a-feature',
  ]) {
    const r = spawnSync(
      'nix',
      ['--extra-experimental-features', `nix-command ${f}`, 'show-config'],
      { encoding: 'utf8' },
    );
    const nixKnows = !r.stderr.includes(`unknown experimental feature '${f}'`);
    assert.is((EXPERIMENTAL_FEATURES as readonly string[]).includes(f), nixKnows, f);
  }
});

test.run();
