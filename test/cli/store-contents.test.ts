// `strata add|ls|cat|dump|restore|export|import|info` on chroot stores shared with Nix 2.8:
// paths added by strata are the paths Nix gives the same files and Nix reads them back;
// listings, file contents, NARs and export streams are byte-identical to Nix's; import takes
// Nix's exports and Nix imports ours; malformed input fails like Nix and changes nothing.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nixFails, nixRaw, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertFails,
  nixError,
  randomTree,
  snapshot,
  strata,
  strataOk,
  strataText,
} from './helpers.js';
import { makeNixStore, nixEvalJson, nixStore, withStoreDir } from './store-fixture.js';

const test = suite('strata add / ls / cat / dump / export / import vs nix');
const nixTest = requires(test, NIX);
const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** `nix path-info --json` of `paths`, without the registration times (they differ). */
function pathInfoJson(root: string, paths: string[]): unknown {
  const out = nixRaw('nix', [
    'path-info',
    '--option',
    'substituters',
    '',
    '--store',
    root,
    '--json',
    ...paths,
  ]);
  const infos = JSON.parse(out.toString()) as Record<string, unknown>[];
  for (const i of infos) delete i.registrationTime;
  return infos;
}

nixTest('add gives the paths nix-store --add / --add-fixed / toFile give, and Nix reads them', () =>
  withStoreDir((dir) => {
    const src = join(dir, 'src');
    mkdirSync(src);
    randomTree(join(src, 'tree'));
    writeFileSync(join(src, 'blob'), randomBytes(3000));
    const ours = join(dir, 'ours');
    const theirs = join(dir, 'theirs');
    for (const item of ['tree', 'blob']) {
      const p = join(src, item);
      const expected = nixStore(theirs, '--add', p).toString();
      assert.is(strataOk(['--store', ours, 'add', p]).toString(), expected, `add ${item}`);
    }
    const flat = nixStore(theirs, '--add-fixed', 'sha256', join(src, 'blob')).toString();
    assert.is(strataOk(['--store', ours, 'add', '--flat', join(src, 'blob')]).toString(), flat);
    // A symlink is read through, as by `nix store add-file`.
    symlinkSync(join(src, 'blob'), join(src, 'blob-link'));
    assert.is(
      strataOk(['--store', ours, 'add', '--flat', join(src, 'blob-link')]).toString(),
      `${nixRaw('nix', ['store', 'add-file', '--store', theirs, join(src, 'blob-link')])
        .toString()
        .trim()}\n`,
    );
    // Several paths at once, relative to the current directory, and --name.
    assert.is(
      strataOk(['--store', ours, 'add', 'blob', 'tree'], { cwd: src }).toString(),
      nixStore(theirs, '--add', join(src, 'blob'), join(src, 'tree')).toString(),
    );
    assert.equal(
      JSON.parse(strataText(['--store', ours, '--json', 'add', 'blob', 'tree'], { cwd: src })),
      nixStore(theirs, '--add', join(src, 'blob'), join(src, 'tree')).toString().trim().split('\n'),
      '--json',
    );
    const named = strataText(['--store', ours, 'add', '--name', 'renamed', join(src, 'blob')]);
    assert.match(named, /^\/nix\/store\/[0-9a-z]{32}-renamed$/);
    // --text: a text object whose references are the store paths it mentions.
    const [blobPath, treePath] = strataText(['--store', ours, 'add', 'blob', 'tree'], {
      cwd: src,
    }).split('\n');
    writeFileSync(
      join(src, 'notes'),
      `see ${blobPath} and ${treePath}/x but not /nix/store/${'a'.repeat(32)}-x\n`,
    );
    const text = strataText(['--store', ours, 'add', '--text', join(src, 'notes')]);
    const toFile = nixEvalJson<string>(
      theirs,
      `builtins.toFile "notes" "see \${builtins.storePath ${blobPath}} and \${builtins.storePath ${treePath}}/x but not /nix/store/${'a'.repeat(32)}-x\\n"`,
    );
    assert.is(text, toFile, 'add --text = builtins.toFile');
    // Nix reads the store strata wrote: same metadata as in the store Nix wrote.
    const paths = strataText(['--store', ours, 'query', 'requisites', text]).split('\n');
    assert.equal(pathInfoJson(ours, paths), pathInfoJson(theirs, paths));
    nixStore(ours, '--verify', '--check-contents');
  }),
);

nixTest('add fails like nix-store --add for a missing file or a bad name, adding nothing', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const before = snapshot(s.root);
    const missing = join(dir, 'nonexistent');
    const n = nixFails('nix-store', ['--store', s.root, '--add', missing]);
    assertFails(strata(['--store', s.root, 'add', missing]), nixError(n.stderr), 'missing');
    // A name a store path cannot have: Nix names the path with its real hash part.
    const spaced = join(dir, 'with space');
    writeFileSync(spaced, 'x\n');
    for (const [nixArgs, ours] of [
      [
        ['--add', spaced],
        ['add', spaced],
      ],
      [
        ['--add-fixed', 'sha256', spaced],
        ['add', '--flat', spaced],
      ],
    ]) {
      const nixSays = nixFails('nix-store', ['--store', s.root, ...nixArgs!]);
      assertFails(strata(['--store', s.root, ...ours!]), nixError(nixSays.stderr), ours!.join(' '));
    }
    assert.equal(snapshot(s.root), before);
  }),
);

nixTest('ls and cat print what nix store ls / nix store cat print', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const nixCmd = (args: string[]) => nixRaw('nix', ['store', ...args, '--store', s.root]);
    for (const flags of [[], ['-l'], ['-R'], ['-lR'], ['-d'], ['--json'], ['--json', '-R']]) {
      for (const p of [s.tree, `${s.tree}/sub`, `${s.tree}/exé`, s.hello, `${s.tree}/sub/link→`]) {
        assert.is(
          strataOk(['--store', s.root, 'ls', ...flags, p]).toString(),
          nixCmd(['ls', ...flags, p]).toString(),
          `ls ${flags.join(' ')} ${p}`,
        );
      }
    }
    for (const p of [s.hello, `${s.tree}/exé`, `${s.tree}/sub/日本`, s.withref]) {
      assert.ok(strataOk(['--store', s.root, 'cat', p]).equals(nixCmd(['cat', p])), `cat ${p}`);
    }
    const n = nixFails('nix', ['store', 'ls', '--store', s.root, '-d', '--json', s.tree]);
    assertFails(
      strata(['--store', s.root, 'ls', '-d', '--json', s.tree]),
      nixError(n.stderr),
      '-d --json',
    );
    for (const [cmd, p] of [
      ['cat', s.tree],
      ['cat', `${s.tree}/nope`],
      ['ls', `${s.tree}/nope`],
      ['cat', '/tmp/x'],
      ['ls', 'relative'],
      ['cat', '/nix/store/00000000000000000000000000000000-x/file'],
      ['ls', '/nix/store/00000000000000000000000000000000-x'],
    ] as const) {
      const n = nixFails('nix', ['store', cmd, '--store', s.root, p]);
      assertFails(strata(['--store', s.root, cmd, p]), nixError(n.stderr), `${cmd} ${p}`);
    }
  }),
);

nixTest('ls and cat follow symlinks on the way through the path, as Nix on a local store', () =>
  withStoreDir((dir) => {
    const tree = join(dir, 'linked');
    mkdirSync(join(tree, 'a/b'), { recursive: true });
    writeFileSync(join(tree, 'a/b/c'), 'x\n');
    symlinkSync('a/b', join(tree, 'lnk'));
    symlinkSync('../a/b/c', join(tree, 'a/up'));
    symlinkSync('/nix/store/nothere', join(tree, 'abs'));
    symlinkSync('loop', join(tree, 'loop'));
    const root = join(dir, 'root');
    const t = nixStore(root, '--add', tree).toString().trim();
    symlinkSync(`${t}/a`, join(tree, 'elsewhere'));
    const other = nixStore(root, '--add', join(tree, 'elsewhere')).toString().trim();
    const paths = ['lnk/c', 'lnk', 'a/up', 'lnk/../b/c', 'a/up/../x', 'lnk/nope', 'abs', 'abs/x'];
    paths.push('loop/x', '');
    const targets = [...paths.map((p) => `${t}/${p}`), `${other}/b/c`];
    for (const p of targets) {
      for (const cmd of [['cat'], ['ls', '-l']]) {
        const n = spawnSync('nix', ['store', ...cmd, '--store', root, p], { env: NIX_ENV });
        const ours = strata(['--store', root, ...cmd, p]);
        if (n.status === 0) {
          assert.is(ours.status, 0, `${cmd} ${p}: ${ours.stderr}`);
          assert.ok(ours.stdout.equals(n.stdout), `${cmd} ${p}`);
        } else {
          assertFails(ours, nixError(n.stderr.toString()), `${cmd} ${p}`);
        }
      }
    }
  }),
);

nixTest('dump writes the NAR nix-store --dump writes; restore unpacks it', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    for (const p of [s.tree, s.hello, s.top]) {
      const real = join(s.root, p);
      const expected = nixRaw('nix-store', ['--dump', real]);
      assert.ok(strataOk(['--store', s.root, 'dump', p]).equals(expected), `dump ${p}`);
    }
    assert.ok(
      strataOk(['--store', s.root, 'dump', s.result]).equals(
        nixRaw('nix-store', ['--dump', join(s.root, s.top)]),
      ),
    );
    const nar = strataOk(['--store', s.root, 'dump', s.tree]);
    strataOk(['restore', join(dir, 'restored')], { input: nar });
    assert.ok(nixRaw('nix-store', ['--dump', join(dir, 'restored')]).equals(nar), 'restored');
    const missing = `/nix/store/${'a'.repeat(32)}-missing`;
    assertFails(
      strata(['--store', s.root, 'dump', missing]),
      `path '${missing}' is not valid`,
      'invalid',
    );
  }),
);

nixTest(
  'export writes what nix-store --export writes; import takes either and Nix takes ours',
  () =>
    withStoreDir((dir) => {
      const s = makeNixStore(dir);
      const closure = nixStore(s.root, '-qR', s.top).toString().trim().split('\n');
      for (const paths of [[s.hello], closure, [...closure].reverse(), s.dag]) {
        const expected = nixStore(s.root, '--export', ...paths);
        const ours = strataOk(['--store', s.root, 'export', ...paths]);
        assert.ok(ours.equals(expected), `export ${paths.length} paths`);
      }
      const exported = nixStore(s.root, '--export', ...closure);
      const viaNix = join(dir, 'via-nix');
      const viaStrata = join(dir, 'via-strata');
      const printed = nixRaw('nix-store', ['--store', viaNix, '--import'], exported).toString();
      assert.is(
        strataOk(['--store', viaStrata, 'import'], { input: exported }).toString(),
        printed,
      );
      assert.equal(pathInfoJson(viaStrata, closure), pathInfoJson(viaNix, closure));
      nixStore(viaStrata, '--verify', '--check-contents');
      // Nix imports what strata exported from strata's store.
      const again = strataOk(['--store', viaStrata, 'export', ...closure]);
      const third = join(dir, 'third');
      assert.is(nixRaw('nix-store', ['--store', third, '--import'], again).toString(), printed);
    }),
);

nixTest('import of a damaged stream fails like nix-store --import', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const good = nixStore(s.root, '--export', s.hello);
    const target = join(dir, 'target');
    nixStore(target, '--add', join(dir, 'root-src', 'hello.txt'));
    const narSize = Number(nixStore(s.root, '-q', '--size', s.hello).toString());
    const before = snapshot(target);
    const cases: [string, Uint8Array][] = [
      ['bad marker', Buffer.from([2, 0, 0, 0, 0, 0, 0, 0])],
      ['truncated NAR', good.subarray(0, 60)],
      ['bad magic', Buffer.concat([good.subarray(0, 8 + narSize), Buffer.alloc(8)])],
    ];
    for (const [what, input] of cases) {
      const n = nixFails('nix-store', ['--store', target, '--import'], input);
      // Strata adds the offset to NAR errors: `… (at byte N)`.
      const message = nixError(n.stderr).replace(/[()'.]/g, '\\$&');
      const r = strata(['--store', target, 'import'], { input });
      assertFails(r, new RegExp(`^error: ${message}( \\(at byte \\d+\\))?$`), what);
    }
    assert.equal(snapshot(target), before, 'nothing was added');
  }),
);

nixTest('info names the store', () =>
  withStoreDir((dir) => {
    const s = makeNixStore(dir);
    const out = strataText(['--store', s.root, 'info']);
    assert.match(out, /^Store URL: \S+\nStore dir: \/nix\/store$/);
    const json = JSON.parse(strataText(['--store', s.root, '--json', 'info'])) as {
      storeDir: string;
    };
    assert.is(json.storeDir, '/nix/store');
  }),
);

test.run();
