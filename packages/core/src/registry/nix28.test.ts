import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NIX, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderStoreReferenceForNix28 } from './nix28.js';
import { parseStoreReference } from './reference.js';

const test = suite('references for Nix 2.8');
const nixTest = requires(test, NIX);

const CASES: Array<[string, string]> = [
  ['auto', 'auto'],
  ['auto?root=/r', 'auto?root=/r'],
  ['local', 'local'],
  ['daemon', 'daemon'],
  ['local://?root=/r&trusted=1', 'local?root=/r&trusted=1'],
  ['local:///srv/a%20b?trusted=true', '/srv/a b?trusted=true'],
  ['local:///A?root=/B', 'local?root=/B'],
  ['unix://?max-connections=7', 'daemon?max-connections=7'],
  ['unix:///run/s', 'unix:///run/s'],
  ['dummy://?priority=3', 'dummy://?priority=3'],
  ['file:///d', 'file:///d'],
  ['https://cache.example.org/x', 'https://cache.example.org/x'],
  ['ssh://me@[::1]', 'ssh://me@[::1]'],
];

test('2.8-safe forms', () => {
  for (const [input, out] of CASES)
    assert.is(renderStoreReferenceForNix28(parseStoreReference(input)), out, input);
});

test('forms 2.8 cannot open are refused with the reason', () => {
  const fails = (input: string, message: string) =>
    assert.throws(
      () => renderStoreReferenceForNix28(parseStoreReference(input)),
      (e: Error) => e.message === message,
    );
  fails(
    'local-overlay://?lower-store=/x',
    "Cannot parse Nix store 'local-overlay://?lower-store=/x': Nix 2.8 cannot open it: Nix 2.8 has no 'local-overlay' store",
  );
  fails(
    'ssh://[::1]:22',
    "Cannot parse Nix store 'ssh://[::1]:22': Nix 2.8 cannot open it: Nix 2.8 cannot pass a port with a bracketed IPv6 host to ssh",
  );
});

nixTest('Nix 2.8 opens what we produce as the store we meant', () => {
  const d = tempDir('strata-nix28-');
  try {
    const cases = [
      [`local:///${d.path.slice(1)}/a%20b?trusted=true`, `${d.path}/a b`],
      [`local://?root=${d.path}/r2`, `${d.path}/r2`],
    ];
    for (const [input, root] of cases) {
      const url = renderStoreReferenceForNix28(parseStoreReference(input!));
      const r = spawnSync('nix', ['store', 'ping', '--store', url], {
        encoding: 'utf8',
        env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
      });
      assert.is(r.status, 0, r.stderr);
      assert.ok(r.stderr.includes('Store URL: local'), r.stderr);
      assert.ok(existsSync(`${root}/nix/store`), `the store was made under ${root}`);
    }
    const dummy = spawnSync(
      'nix',
      [
        'eval',
        '--raw',
        '--store',
        renderStoreReferenceForNix28(parseStoreReference('dummy://?store=/a%20b')),
        '--expr',
        'builtins.storeDir',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
      },
    );
    assert.is(dummy.stdout, '/a b');
  } finally {
    d.cleanup();
  }
});

test.run();
