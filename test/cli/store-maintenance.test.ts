// `strata gc|delete|verify|optimise` against `nix-store --gc|--delete|--verify|--optimise` on
// twin chroot stores (one built by Nix, the other a copy of it): the same stdout, the same
// stderr lines, the same exit status, and afterwards the same store as Nix sees it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, requires } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertFails, nixError, snapshot, strata } from './helpers.js';
import { makeNixStore, type NixStoreFixture, nixStore, withStoreDir } from './store-fixture.js';

const test = suite('strata gc / delete / verify / optimise vs nix-store');
const nixTest = requires(test, NIX);

/** A fixture store with a root on `top` and a copy of it at `<dir>/twin`. */
function twinStores(dir: string): { s: NixStoreFixture; twin: string } {
  const s = makeNixStore(dir);
  const gcroots = join(s.root, 'nix/var/nix/gcroots');
  mkdirSync(gcroots, { recursive: true });
  symlinkSync(s.withref, join(gcroots, 'keep'));
  const twin = join(dir, 'twin');
  execFileSync('cp', ['-a', s.root, twin]);
  return { s, twin };
}

/** Runs nix-store on one store and strata on the other; both outputs. */
function both(nixRoot: string, nixArgs: string[], ourRoot: string, ourArgs: string[]) {
  const n = spawnSync('nix-store', ['--store', nixRoot, ...nixArgs], { encoding: 'utf8' });
  const r = strata(['--store', ourRoot, ...ourArgs]);
  return { n, r };
}

const sortedLines = (s: string) => s.split('\n').filter(Boolean).sort();

/** The valid paths Nix sees in a store. */
const validPaths = (root: string) =>
  spawnSync('nix-store', ['--store', root, '--gc', '--print-live'], { encoding: 'utf8' }).stdout;

nixTest('gc --print-roots/--print-live/--print-dead/--dry-run print what nix-store prints', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    for (const [nixFlag, ours] of [
      ['--print-roots', ['gc', '--print-roots']],
      ['--print-live', ['gc', '--print-live']],
      ['--print-dead', ['gc', '--print-dead']],
      ['--print-dead', ['gc', '--dry-run']],
    ] as const) {
      const { n, r } = both(s.root, ['--gc', nixFlag], twin, [...ours]);
      assert.is(r.status, n.status, `${nixFlag} status`);
      const fix = (t: string) => t.replaceAll(twin, s.root);
      assert.is(fix(r.stdout.toString()), n.stdout, `${nixFlag} stdout`);
    }
    // A stale indirect root is removed and an invalid one skipped, each said on stderr.
    for (const root of [s.root, twin]) {
      mkdirSync(join(root, 'nix/var/nix/gcroots/auto'), { recursive: true });
      symlinkSync(join(dir, 'gone'), join(root, 'nix/var/nix/gcroots/auto/stale'));
      symlinkSync(`/nix/store/${'0'.repeat(32)}-nope`, join(root, 'nix/var/nix/gcroots/bad'));
    }
    const { n, r } = both(s.root, ['--gc', '--print-roots'], twin, ['gc', '--print-roots']);
    assert.is(r.stderr.replaceAll(twin, s.root), n.stderr);
    assert.match(n.stderr, /removing stale link/);
    assert.equal(readdirSync(join(twin, 'nix/var/nix/gcroots/auto')), []);
  }),
);

nixTest('gc --json prints the paths and roots as JSON', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    const dead = spawnSync('nix-store', ['--store', s.root, '--gc', '--print-dead'], {
      encoding: 'utf8',
    }).stdout;
    const r = strata(['--store', twin, '--json', 'gc', '--dry-run']);
    assert.is(r.status, 0, r.stderr);
    const fix = (t: string) => t.replaceAll(twin, s.root);
    assert.equal(JSON.parse(fix(r.stdout.toString())), dead.split('\n').filter(Boolean));
    const roots = strata(['--store', twin, '--json', 'gc', '--print-roots']);
    assert.equal(JSON.parse(roots.stdout.toString()), [
      { link: join(twin, 'nix/var/nix/gcroots/keep'), target: s.withref },
    ]);
  }),
);

nixTest('gc deletes what nix-store --gc deletes, with the same messages and summary', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    const { n, r } = both(s.root, ['--gc'], twin, ['gc']);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.toString(), n.stdout, 'summary');
    assert.equal(sortedLines(r.stderr), sortedLines(n.stderr), 'stderr lines');
    assert.is(validPaths(twin), validPaths(s.root), 'the same paths survive');
    assert.equal(snapshot(join(twin, 'nix/store')), snapshot(join(s.root, 'nix/store')));
  }),
);

nixTest('gc --max-freed stops like nix-store --gc --max-freed; bad values fail alike', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    const { n, r } = both(s.root, ['--gc', '--max-freed', '1'], twin, ['gc', '--max-freed', '1']);
    assert.is(r.stdout.toString(), n.stdout, 'summary');
    assert.is(r.stderr.includes('deleted more than 1 bytes; stopping'), true, r.stderr);
    for (const bad of ['1X', 'abc', '1.5']) {
      const b = both(s.root, ['--gc', '--max-freed', bad], twin, ['gc', '--max-freed', bad]);
      assertFails(b.r, nixError(b.n.stderr), `--max-freed ${bad}`);
    }
  }),
);

nixTest('delete removes dead paths and refuses live ones like nix-store --delete', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    // Alive through the root: Nix's error, the summary still printed, nothing deleted.
    const before = snapshot(join(twin, 'nix/store'));
    const alive = both(s.root, ['--delete', s.hello], twin, ['delete', s.hello]);
    assert.is(alive.n.status, 1);
    assertFails(
      {
        ...alive.r,
        stderr: alive.r.stderr
          .split('\n')
          .filter(
            (l) => !l.startsWith('finding') && !l.startsWith('deleting') && !l.startsWith('note:'),
          )
          .join('\n'),
      },
      nixError(alive.n.stderr),
      'alive',
    );
    assert.is(alive.r.stdout.toString(), alive.n.stdout, 'summary after refusal');
    assert.equal(snapshot(join(twin, 'nix/store')), before, 'nothing deleted');
    // Dead: deleted with the same output.
    const dead = both(s.root, ['--delete', s.top], twin, ['delete', s.top]);
    assert.is(dead.r.status, 0, dead.r.stderr);
    assert.is(dead.r.stdout.toString(), dead.n.stdout);
    assert.equal(sortedLines(dead.r.stderr), sortedLines(dead.n.stderr));
    // --ignore-liveness with referrer and reference together.
    const forced = both(s.root, ['--delete', '--ignore-liveness', s.withref, s.tree], twin, [
      'delete',
      '--ignore-liveness',
      s.withref,
      s.tree,
    ]);
    assert.is(forced.r.status, forced.n.status, forced.r.stderr);
    assert.is(forced.r.stdout.toString(), forced.n.stdout);
    assert.is(validPaths(twin), validPaths(s.root));
  }),
);

nixTest('delete and export with no paths do nothing, as nix-store --delete / --export', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    // A collection with nothing to delete still runs (as Nix's), so compare contents.
    const before = validPaths(twin);
    const del = both(s.root, ['--delete'], twin, ['delete']);
    assert.is(del.r.status, 0, del.r.stderr);
    assert.is(del.r.stdout.toString(), del.n.stdout);
    const exp = spawnSync('nix-store', ['--store', s.root, '--export']);
    const ours = strata(['--store', twin, 'export']);
    assert.is(ours.status, 0, ours.stderr);
    assert.ok(ours.stdout.equals(exp.stdout), 'the end-of-stream marker alone');
    assert.is(validPaths(twin), before);
  }),
);

nixTest('verify reports what nix-store --verify reports, and exits alike', () =>
  withStoreDir((dir) => {
    const { s, twin } = twinStores(dir);
    const clean = both(s.root, ['--verify', '--check-contents'], twin, [
      'verify',
      '--check-contents',
    ]);
    assert.is(clean.r.status, 0, clean.r.stderr);
    assert.is(clean.r.stderr, clean.n.stderr);
    // Modify a file in both stores the same way.
    for (const root of [s.root, twin]) {
      const file = join(root, s.hello);
      chmodSync(join(root, 'nix/store'), 0o755);
      chmodSync(file, 0o644);
      writeFileSync(file, 'tampered\n');
    }
    const bad = both(s.root, ['--verify', '--check-contents'], twin, [
      'verify',
      '--check-contents',
    ]);
    assert.is(bad.n.status, 1);
    assert.is(bad.r.status, 1);
    assert.is(bad.r.stderr, bad.n.stderr);
    // --repair cannot repair without substituters: the same errors.
    const repair = both(
      s.root,
      ['--option', 'substituters', '', '--verify', '--check-contents', '--repair'],
      twin,
      ['verify', '--check-contents', '--repair'],
    );
    assert.is(repair.r.status, repair.n.status);
    assert.is(repair.r.stderr, repair.n.stderr);
    // --verify-path of single paths.
    const one = both(s.root, ['--verify-path', s.hello, s.top], twin, ['verify', s.hello, s.top]);
    assert.is(one.r.status, one.n.status);
    assert.is(one.r.stderr, one.n.stderr);
    // A path whose directory entry is gone, with valid referrers.
    for (const root of [s.root, twin]) unlinkSync(join(root, s.hello));
    const gone = both(s.root, ['--verify'], twin, ['verify']);
    assert.is(gone.r.status, gone.n.status);
    assert.is(gone.r.stderr, gone.n.stderr);
  }),
);

nixTest('optimise hard-links like nix-store --optimise and says the same', () =>
  withStoreDir((dir) => {
    const src = join(dir, 'src');
    mkdirSync(src);
    for (const d of ['a', 'b']) {
      mkdirSync(join(src, d));
      writeFileSync(join(src, d, 'same'), 'same content\n');
      writeFileSync(join(src, d, 'other'), `${d}\n`);
    }
    const root = join(dir, 'root');
    nixStore(root, '--add', join(src, 'a'), join(src, 'b'));
    const twin = join(dir, 'twin');
    execFileSync('cp', ['-a', root, twin]);
    const { n, r } = both(root, ['--optimise'], twin, ['optimise']);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.toString(), n.stdout);
    assert.is(r.stderr, n.stderr);
    assert.equal(
      readdirSync(join(twin, 'nix/store/.links')).sort(),
      readdirSync(join(root, 'nix/store/.links')).sort(),
    );
    nixStore(twin, '--verify', '--check-contents');
  }),
);

test.run();
