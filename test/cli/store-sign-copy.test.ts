// `strata key generate|public`, `strata sign` and `strata copy` against `nix key …`,
// `nix store sign` and `nix copy`: keys interchangeable both ways, the same (deterministic
// Ed25519) signatures in the store, closures copied as Nix reads them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, nixFails, nixRaw, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertFails, nixError, strata, strataOk } from './helpers.js';
import { makeNixStore, nixStore, withStoreDir } from './store-fixture.js';

const test = suite('strata key / sign / copy vs nix');
const nixTest = requires(test, NIX);

/** Each path's signatures as Nix reads them from the store at `root`. */
const sigsOf = (root: string, paths: string[]) =>
  (
    JSON.parse(
      nixRaw('nix', [
        'path-info',
        '--option',
        'substituters',
        '',
        '--store',
        root,
        '--json',
        ...paths,
      ]).toString(),
    ) as { path: string; signatures?: string[] }[]
  ).map((i) => [i.path, i.signatures ?? []]);

nixTest('keys from strata and from nix key are interchangeable', () =>
  withStoreDir((dir) => {
    const ours = strataOk(['key', 'generate', 'strata-test-1']);
    assert.match(ours.toString(), /^strata-test-1:[A-Za-z0-9+/]{86}==$/);
    assert.is(
      strataOk(['key', 'public'], { input: ours }).toString(),
      nix('nix', ['key', 'convert-secret-to-public'], ours),
    );
    const theirs = nixRaw('nix', ['key', 'generate-secret', '--key-name', 'nix-test-1']);
    assert.is(
      strataOk(['key', 'public'], { input: theirs }).toString(),
      nix('nix', ['key', 'convert-secret-to-public'], theirs),
    );
    const n = nixFails('nix', ['key', 'convert-secret-to-public'], Buffer.from('garbage'));
    assertFails(
      strata(['key', 'public'], { input: Buffer.from('garbage') }),
      nixError(n.stderr),
      'corrupt',
    );
    writeFileSync(join(dir, 'unused'), '');
  }),
);

nixTest('sign adds the signatures nix store sign adds', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const twin = makeNixStore(dir, 'twin');
    const keyFile = join(dir, 'sk');
    writeFileSync(keyFile, nixRaw('nix', ['key', 'generate-secret', '--key-name', 'test-1']));
    const r = strata(['--store', s.root, 'sign', '--key-file', keyFile, s.hello, s.result]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, 'added 2 signatures\n');
    // Signing again adds nothing.
    assert.is(
      strata(['--store', s.root, 'sign', '-k', keyFile, s.hello]).stderr,
      'added 0 signatures\n',
    );
    const paths = [s.hello, s.top, s.withref];
    nixRaw('nix', ['store', 'sign', '--store', s.root, '--key-file', keyFile, s.withref]);
    const ours = sigsOf(s.root, paths);
    const fresh = join(dir, 'fresh');
    const exported = nixStore(
      s.root,
      '--export',
      ...nixStore(s.root, '-qR', s.top).toString().trim().split('\n'),
    );
    nixRaw('nix-store', ['--store', fresh, '--import'], exported);
    nixRaw('nix', ['store', 'sign', '--store', fresh, '--key-file', keyFile, ...paths]);
    assert.equal(ours, sigsOf(fresh, paths), 'the same signatures as nix store sign');
    // -r signs the closure; errors like Nix's.
    const rr = strata(['--store', twin.root, 'sign', '-r', '-k', keyFile, twin.top]);
    assert.is(rr.stderr, 'added 4 signatures\n');
    for (const args of [['--key-file', join(dir, 'nonexistent'), s.hello], [s.hello]]) {
      const n = nixFails('nix', ['store', 'sign', '--store', s.root, ...args]);
      assertFails(strata(['--store', s.root, 'sign', ...args]), nixError(n.stderr), args.join(' '));
    }
  }),
);

nixTest('copy copies closures that Nix then reads as it reads its own copies', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const ours = join(dir, 'ours');
    const theirs = join(dir, 'theirs');
    strataOk(['copy', '--from', s.root, '--to', ours, s.top, s.dag.at(-1)!]);
    nixRaw('nix', [
      'copy',
      '--no-check-sigs',
      '--from',
      s.root,
      '--to',
      theirs,
      s.top,
      s.dag.at(-1)!,
    ]);
    const info = (root: string) => {
      const all = nixStore(s.root, '-qR', s.top, s.dag.at(-1)!).toString().trim().split('\n');
      const json = JSON.parse(
        nixRaw('nix', [
          'path-info',
          '--option',
          'substituters',
          '',
          '--store',
          root,
          '--json',
          ...all,
        ]).toString(),
      ) as Record<string, unknown>[];
      for (const j of json) delete j.registrationTime;
      return json;
    };
    assert.equal(info(ours), info(theirs));
    nixStore(ours, '--verify', '--check-contents');
    // Nix 2.8 would try the command store against itself; strata asks for a direction.
    assertFails(strata(['copy', s.top]), "you must pass '--from' and/or '--to'", 'no --from/--to');
  }),
);

test.run();
