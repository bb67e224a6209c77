import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, requires, throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDerivationOutputs } from './derivation-outputs.js';
import { makeNixStore, run } from './testing.js';

const test = suite('local db: derivation outputs');
const nixTest = requires(test, NIX);

test('reads the outputs list, with escapes and floating outputs', () => {
  assert.equal(parseDerivationOutputs('Derive([],[],[],"x","b",[],[])'), []);
  const text =
    'Derive([("a\\"b","/nix/store/x-a","",""),("out","","r:sha256","")],[],[],"x","b\\\\",[],[])';
  assert.equal(parseDerivationOutputs(text), [
    { name: 'a"b', path: '/nix/store/x-a' },
    { name: 'out', path: '' },
  ]);
});

test('rejects what is not a derivation', () => {
  for (const [text, at] of [
    ['Drv([', 0],
    ['Derive([("out"', 14],
    ['Derive([("out","p","","")', 25],
    ['Derive([("out","p,"","")]', 19],
  ] as const) {
    throwsWith(
      () => parseDerivationOutputs(text, '/nix/store/x.drv'),
      'STRATA_ERR_LOCALDB_BAD_DERIVATION',
      `error parsing derivation '/nix/store/x.drv': unexpected text at character ${at}`,
    );
  }
});

nixTest('the outputs of derivations Nix wrote are the ones Nix shows', () =>
  withTempDir((dir) => {
    const f = makeNixStore(dir);
    for (const drv of [f.multiDrv, f.fixedDrv]) {
      const shown = JSON.parse(run('nix', ['show-derivation', '--store', f.root, drv]));
      const expected = Object.entries(shown[drv].outputs as Record<string, { path: string }>)
        .map(([name, o]) => ({ name, path: o.path }))
        .sort((x, y) => (x.name < y.name ? -1 : 1));
      const text = readFileSync(join(f.root, drv), 'utf8');
      assert.equal(parseDerivationOutputs(text, drv), expected);
    }
  }),
);

test.run();
