// `strata nar dump|restore|ls|cat` as a process, against `nix-store --dump/--restore` and
// `nix nar ls/cat` of Nix 2.8 on freshly generated trees.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nixRaw, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomTree, snapshot, strataOk } from './helpers.js';

const test = suite('strata nar (CLI) vs nix');
const nixTest = requires(test, NIX);

nixTest('nar dump is byte-identical to nix-store --dump', async () => {
  await withTempDir((dir) => {
    const tree = join(dir, 'tree');
    randomTree(tree, 3);
    const big = join(dir, 'big');
    writeFileSync(big, randomBytes(3 << 20));
    // A tree, an executable, an empty file, a symlink and a large file as the root object.
    for (const p of [tree, join(tree, 'exé'), join(tree, 'empty'), join(tree, 'sub/link→'), big]) {
      const ours = strataOk(['nar', 'dump', p]);
      assert.ok(ours.equals(nixRaw('nix-store', ['--dump', p])), p);
    }
  });
});

nixTest('nar restore of a nix-store --dump recreates the same tree', async () => {
  await withTempDir((dir) => {
    const tree = join(dir, 'tree');
    randomTree(tree, 3);
    for (const [src, dst] of [
      [tree, join(dir, 'restored tree')],
      [join(tree, 'exé'), join(dir, 'restored-exe')],
      [join(tree, 'sub/link→'), join(dir, 'restored-link')],
    ] as const) {
      const nar = nixRaw('nix-store', ['--dump', src]);
      assert.is(strataOk(['nar', 'restore', dst], { input: nar }).length, 0);
      assert.ok(nixRaw('nix-store', ['--dump', dst]).equals(nar), dst);
    }
    assert.equal(snapshot(join(dir, 'restored tree')), snapshot(tree));
  });
});

nixTest('nar ls, with every flag and on stdin, equals nix nar ls', async () => {
  await withTempDir((dir) => {
    const tree = join(dir, 'tree');
    randomTree(tree, 3);
    const narFile = join(dir, 'tree.nar');
    const nar = nixRaw('nix-store', ['--dump', tree]);
    writeFileSync(narFile, nar);
    const cases: [string[], string][] = [
      [[], '/'],
      [['-l'], '/'],
      [['-R'], '/'],
      [['-l', '-R'], '/'],
      [['-d'], '/'],
      [['-l', '-d'], '/sub'],
      [['-R'], '/sub'],
      [['-l'], '/exé'],
      [['-l'], '/sub/link→'],
      [['-l'], '/empty-dir'],
      [['--json'], '/'],
      [['--json', '-R'], '/'],
      [['--json', '-l', '-R'], '/sub'],
      [['--json', '-l'], '/exé'],
      [['--json'], '/sub/link→'],
    ];
    for (const [flags, path] of cases) {
      const ours = strataOk(['nar', 'ls', ...flags, narFile, path]).toString('utf8');
      const theirs = nixRaw('nix', ['nar', 'ls', ...flags, narFile, path]).toString('utf8');
      if (flags.includes('--json')) assert.equal(JSON.parse(ours), JSON.parse(theirs));
      assert.is(ours, theirs, `${flags.join(' ')} ${path}`);
    }
    // From stdin, with the path defaulting to the root.
    assert.is(
      strataOk(['nar', 'ls', '-lR', '-'], { input: nar }).toString('utf8'),
      nixRaw('nix', ['nar', 'ls', '-lR', narFile, '/']).toString('utf8'),
    );
  });
});

nixTest('nar cat equals nix nar cat, from a file and from stdin', async () => {
  await withTempDir((dir) => {
    const tree = join(dir, 'tree');
    const { files } = randomTree(tree, 3);
    const narFile = join(dir, 'tree.nar');
    const nar = nixRaw('nix-store', ['--dump', tree]);
    writeFileSync(narFile, nar);
    const paths = ['/empty', '/exé', '/sub/日本', [...files.keys()].at(-1)!];
    for (const [i, p] of paths.entries()) {
      const ours = strataOk(['nar', 'cat', i % 2 ? '-' : narFile, p], { input: nar });
      assert.ok(ours.equals(nixRaw('nix', ['nar', 'cat', narFile, p])), p);
      assert.ok(ours.equals(files.get(p)!), p);
    }
    // The NAR of a single file: its contents are at the empty path ('/' does not exist).
    const fileNar = nixRaw('nix-store', ['--dump', join(tree, 'exé')]);
    writeFileSync(narFile, fileNar);
    assert.ok(
      strataOk(['nar', 'cat', narFile, '']).equals(nixRaw('nix', ['nar', 'cat', narFile, ''])),
    );
    for (const path of ['', '/']) {
      assert.is(
        strataOk(['nar', 'ls', '-l', narFile, path]).toString('utf8'),
        nixRaw('nix', ['nar', 'ls', '-l', narFile, path]).toString('utf8'),
      );
    }
  });
});

test.run();
