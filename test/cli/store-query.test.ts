// `strata query …` and `strata path-info …` against `nix-store -q …` and `nix path-info …` on
// chroot stores built by Nix 2.8: byte-identical stdout for every query kind, flag combination
// and argument form (store paths, paths inside objects, symlinks into the store), and Nix's
// error lines and exit codes for paths outside the store, invalid and malformed paths.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nixFails, nixRaw, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertFails, nixError, snapshot, strata, strataOk } from './helpers.js';
import { makeNixStore, nixStore, withStoreDir } from './store-fixture.js';

const test = suite('strata query / path-info vs nix-store -q / nix path-info');
const nixTest = requires(test, NIX);

const QUERIES = [
  'references',
  'referrers',
  'requisites',
  'referrers-closure',
  'deriver',
  'outputs',
  'hash',
  'size',
  'tree',
  'graph',
];

/** `nix path-info` without substituters (no network). */
function nixPathInfo(root: string, args: string[]): Buffer {
  return nixRaw('nix', ['path-info', '--option', 'substituters', '', '--store', root, ...args]);
}

nixTest('every query kind prints what nix-store -q prints, byte for byte', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    // Each run of strata is a process: few argument sets, each covering several cases.
    const argSets = [
      [s.top],
      [s.hello, s.tree],
      [s.result2],
      [`${s.tree}/sub`, s.dag[0]!],
      [...s.dag].reverse(),
    ];
    for (const kind of QUERIES) {
      for (const args of argSets) {
        const expected = nixStore(s.root, '-q', `--${kind}`, ...args);
        const ours = strataOk(['--store', s.root, 'query', kind, ...args]);
        assert.is(ours.toString(), expected.toString(), `query ${kind} ${args.join(' ')}`);
      }
    }
  }),
);

nixTest('query roots lists the roots keeping the paths alive, as nix-store -q --roots', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const gcroots = join(s.root, 'nix/var/nix/gcroots');
    mkdirSync(join(gcroots, 'sub'), { recursive: true });
    symlinkSync(s.top, join(gcroots, 'top-root'));
    symlinkSync(s.dag[1]!, join(gcroots, 'sub', 'dag-root'));
    // Nix 2.8 keeps roots in an unordered_map and prints them in its hash order; strata
    // sorts them by store path, then link. The lines are the same.
    const lines = (b: Buffer) => b.toString().split('\n').filter(Boolean).sort();
    for (const args of [[s.hello], [s.dag[0]!], [s.tree, s.dag[1]!]]) {
      const expected = nixStore(s.root, '-q', '--roots', ...args);
      const ours = strataOk(['--store', s.root, 'query', 'roots', ...args]);
      assert.equal(lines(ours), lines(expected), `roots ${args.join(' ')}`);
    }
    // With one target the order is fully determined.
    assert.is(
      strataOk(['--store', s.root, 'query', 'roots', s.top]).toString(),
      nixStore(s.root, '-q', '--roots', s.top).toString(),
    );
  }),
);

nixTest('derivers, outputs and --include-outputs match nix-store on a built derivation', () =>
  withStoreDir((dir) => {
    const root = join(dir, 'root');
    const tag = String(Math.random()).slice(2);
    // builtin:buildenv builds without a shell, so even a chroot store can build it.
    writeFileSync(
      join(dir, 'd.nix'),
      `let dep = builtins.toFile "dep-${tag}" "dep";
           mk = name: derivation { inherit name; system = "builtin"; builder = "builtin:buildenv";
                                   manifest = dep; derivations = []; tag = "${tag}"; };
       in { a = mk "a"; b = mk "b"; }`,
    );
    const built = nixRaw('nix-build', [
      '--store',
      root,
      join(dir, 'd.nix'),
      '-A',
      'a',
      '--no-out-link',
    ])
      .toString()
      .trim();
    const unbuilt = nixRaw('nix-instantiate', ['--store', root, join(dir, 'd.nix'), '-A', 'b'])
      .toString()
      .trim();
    const drv = nixStore(root, '-q', '--deriver', built).toString().trim();
    mkdirSync(join(root, 'nix/var/nix/gcroots'), { recursive: true });
    symlinkSync(built, join(root, 'nix/var/nix/gcroots/built'));
    for (const kind of [
      'deriver',
      'outputs',
      'requisites',
      'tree',
      'graph',
      'roots',
      'references',
    ]) {
      for (const args of [[built, drv], [unbuilt]]) {
        const expected = nixStore(root, '-q', `--${kind}`, ...args);
        const ours = strataOk(['--store', root, 'query', kind, ...args]);
        assert.is(ours.toString(), expected.toString(), `query ${kind} ${args.join(' ')}`);
      }
    }
    // --roots follows the collector's keep-outputs and keep-derivations, whatever they are.
    for (const keepOutputs of ['true', 'false']) {
      for (const keepDerivations of ['true', 'false']) {
        const options = ['--option', 'keep-outputs', keepOutputs];
        options.push('--option', 'keep-derivations', keepDerivations);
        for (const args of [[drv], [built], [unbuilt]]) {
          const expected = nixStore(root, ...options, '-q', '--roots', ...args);
          const ours = strataOk(['--store', root, ...options, 'query', 'roots', ...args]);
          assert.is(ours.toString(), expected.toString(), `roots ${options.join(' ')} ${args}`);
        }
      }
    }
    const withOutputs = nixStore(root, '-qR', '--include-outputs', drv, unbuilt);
    assert.is(
      strataOk([
        '--store',
        root,
        'query',
        'requisites',
        '--include-outputs',
        drv,
        unbuilt,
      ]).toString(),
      withOutputs.toString(),
    );
    assert.is(strataOk(['--store', root, 'query', 'valid-derivers', built]).toString(), `${drv}\n`);
    // `outputs` reads the .drv file, as Nix does: a damaged one fails, whatever the database says.
    const drvFile = join(root, drv);
    chmodSync(join(root, 'nix/store'), 0o755);
    chmodSync(drvFile, 0o644);
    writeFileSync(drvFile, 'garbage');
    const bad = strata(['--store', root, 'query', 'outputs', drv]);
    assertFails(
      bad,
      nixError(nixFails('nix-store', ['--store', root, '-q', '--outputs', drv]).stderr),
      'outputs of a damaged .drv',
    );
    for (const flags of [['--json'], ['--sigs'], ['--json', '-r']]) {
      assert.is(
        strataOk(['--store', root, 'path-info', ...flags, built]).toString(),
        nixPathInfo(root, [...flags, built]).toString(),
        `path-info ${flags.join(' ')}`,
      );
    }
  }),
);

nixTest('ca-derivations: realised outputs count for --include-outputs and roots, as in Nix', () =>
  withStoreDir((dir) => {
    const root = join(dir, 'root');
    const ca = ['--extra-experimental-features', 'ca-derivations'];
    writeFileSync(
      join(dir, 'ca.nix'),
      `derivation { name = "cab"; system = "builtin"; builder = "builtin:buildenv";
         manifest = builtins.toFile "dep" "dep"; derivations = [];
         __contentAddressed = true; outputHashMode = "recursive"; outputHashAlgo = "sha256"; }`,
    );
    const result = join(dir, 'result');
    const built = nixRaw('nix-build', [...ca, '--store', root, join(dir, 'ca.nix'), '-o', result])
      .toString()
      .trim();
    const drv = nixRaw('nix-instantiate', [...ca, '--store', root, join(dir, 'ca.nix')])
      .toString()
      .trim();
    const withOutputs = nixStore(root, ...ca, '-q', '--requisites', '--include-outputs', drv);
    assert.ok(withOutputs.toString().includes(built), 'Nix counts the realised output');
    for (const [kind, flags] of [
      ['requisites', ['--include-outputs']],
      ['roots', []],
    ] as const) {
      const expected = nixStore(root, ...ca, '-q', `--${kind}`, ...flags, drv).toString();
      const ours = strataOk(['--store', root, ...ca, 'query', kind, ...flags, drv]).toString();
      assert.is(ours, expected, kind);
    }
    // Without the feature the Realisations table is not looked at, by either.
    assert.is(
      strataOk(['--store', root, 'query', 'requisites', '--include-outputs', drv]).toString(),
      nixStore(root, '-q', '--requisites', '--include-outputs', drv).toString(),
    );
    const outputs = nixFails('nix-store', [...ca, '--store', root, '-q', '--outputs', drv]);
    assertFails(
      strata(['--store', root, ...ca, 'query', 'outputs', drv]),
      nixError(outputs.stderr),
      'outputs of a floating derivation',
    );
  }),
);

nixTest('per-path queries print the answers for the arguments before a bad one, as Nix', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    for (const kind of ['hash', 'size', 'deriver']) {
      const args = [s.hello, s.tree, '/nix/store/foo'];
      const nixRun = spawnSync('nix-store', ['--store', s.root, '-q', `--${kind}`, ...args]);
      const ours = strata(['--store', s.root, 'query', kind, ...args]);
      assert.is(ours.stdout.toString(), nixRun.stdout.toString(), kind);
      assert.ok(nixRun.stdout.length > 0, kind);
      assertFails(ours, nixError(nixRun.stderr.toString()), kind);
    }
  }),
);

nixTest('path-info prints what nix path-info prints, text and JSON', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const flagSets = [
      [],
      ['-rS'],
      ['-rsSh'],
      ['-r', '--sigs', '-s'],
      ['--json'],
      ['--json', '-r', '--closure-size'],
    ];
    const argSets = [[s.result2], [s.top, ...s.dag]];
    for (const flags of flagSets) {
      for (const args of argSets) {
        const expected = nixPathInfo(s.root, [...flags, ...args]);
        const ours = strataOk(['--store', s.root, 'path-info', ...flags, ...args]);
        assert.is(ours.toString(), expected.toString(), `path-info ${flags.join(' ')}`);
      }
    }
    // An invalid path in JSON is {"path":…,"valid":false}, with exit status 0.
    const missing = `/nix/store/${'a'.repeat(32)}-missing`;
    const expected = nixPathInfo(s.root, ['--json', missing, s.hello]);
    assert.is(
      strataOk(['--store', s.root, 'path-info', '--json', missing, s.hello]).toString(),
      expected.toString(),
    );
  }),
);

nixTest('bad arguments fail with the error nix-store prints, changing nothing', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const before = snapshot(s.root);
    const cases = [
      '/tmp',
      `/nix/store/${'a'.repeat(32)}-missing`,
      '/nix/store/xyz',
      '/nix/store',
      '/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-x',
      `${s.result}/nonexistent-inside`,
      join(dir, 'nonexistent'),
    ];
    for (const arg of cases) {
      for (const kind of ['references', 'tree']) {
        const n = spawnSync('nix-store', ['--store', s.root, '-q', `--${kind}`, arg], {
          encoding: 'utf8',
        });
        assert.is(n.status, 1, `nix fails for ${arg}`);
        const r = strata(['--store', s.root, 'query', kind, arg]);
        assertFails(r, nixError(n.stderr), `query ${kind} ${arg}`);
      }
      const r = strata(['--store', s.root, 'path-info', arg]);
      assert.is(r.status, 1, `path-info ${arg}`);
    }
    assert.equal(snapshot(s.root), before, 'the store is unchanged');
  }),
);

nixTest('path-from-hash-part finds valid paths and names missing ones', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    for (const p of [s.hello, s.top, ...s.dag]) {
      const hashPart = p.slice('/nix/store/'.length, '/nix/store/'.length + 32);
      assert.is(
        strataOk(['--store', s.root, 'path-from-hash-part', hashPart]).toString(),
        `${p}\n`,
      );
    }
    const r = strata(['--store', s.root, 'path-from-hash-part', 'a'.repeat(32)]);
    assertFails(r, `there is no store path corresponding to '${'a'.repeat(32)}'`, 'missing');
  }),
);

test.run();
