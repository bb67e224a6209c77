import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMiB } from '../gc/summary.js';
import { testContext } from '../store/testing.js';
import {
  cloneStore,
  dbState,
  diskState,
  makeVerifyFixture,
  normalise,
  runNixStore,
  type VerifyFixture,
} from '../verify/testing.js';
import { linkKey } from './link-key.js';
import { newOptimiseStats, optimisePath, optimiseStore, optimiseSummary } from './optimise.js';

const test = suite('optimise');
const nixTest = requires(test, NIX);

const tmp = tempDir('strata-optimise-');
let fixture: (VerifyFixture & { hello2: string }) | undefined;
let n = 0;

/** The verify fixture plus `hello2.txt`, a second top-level file equal to `hello.txt`. */
function base(): VerifyFixture & { hello2: string } {
  if (fixture === undefined) {
    const f = makeVerifyFixture(tmp.path);
    writeFileSync(join(tmp.path, 'hello2.txt'), 'hello\n');
    const hello2 = nix('nix-store', ['--store', f.root, '--add', join(tmp.path, 'hello2.txt')]);
    fixture = { ...f, hello2 };
  }
  return fixture;
}

function copies(root = base().root): { ours: string; theirs: string } {
  n++;
  return {
    ours: cloneStore(root, join(tmp.path, `ours-${n}`)),
    theirs: cloneStore(root, join(tmp.path, `theirs-${n}`)),
  };
}

async function ourOptimise(root: string) {
  const t = testContext(root);
  const lines: string[] = [];
  const progress: [number, number][] = [];
  try {
    const result = await optimiseStore(t.ctx, {
      log: (l) => lines.push(l),
      progress: (d, total) => progress.push([d, total]),
    });
    lines.push(optimiseSummary(result));
    return { result, lines: normalise(root, lines), progress };
  } finally {
    t.close();
  }
}

/** Optimises both copies (ours, then Nix) and asserts identical output, files and DB. */
async function compare(ours: string, theirs: string) {
  const mine = await ourOptimise(ours);
  const nixRun = runNixStore(theirs, ['--optimise']);
  assert.equal(mine.lines, nixRun.lines);
  assert.is(nixRun.status, 0);
  assert.is(diskState(ours), diskState(theirs));
  assert.is(dbState(ours), dbState(theirs));
  return mine;
}

const links = (root: string) => readdirSync(join(root, 'nix/store/.links')).sort();

test.after(() => tmp.cleanup());

nixTest('links identical files like nix-store --optimise; a second run links none', async () => {
  const f = base();
  const { ours, theirs } = copies();
  const first = await compare(ours, theirs);
  // d1/b, d2/a, d2/sub/c (13 bytes each), d2/l (1 byte), hello2.txt (6 bytes).
  assert.equal(first.result, { filesLinked: 5, bytesFreed: 46n });
  assert.equal(first.lines, ['0.00 MiB freed by hard-linking 5 files']);
  assert.equal(links(ours), links(theirs));
  const same = join(ours, 'nix/store/.links/0zv3q8kzg89iw672fc00j77qqaw887zlr5nkzgcxlycbq0ykfsms');
  assert.is(lstatSync(same).nlink, 5);
  assert.is(lstatSync(same).mode & 0o7777, 0o444);
  const exec = join(ours, 'nix/store/.links/0xwcjhwvichwbji59i6jygvvf9hjhn3j9rk8a88y475274c4xyhj');
  assert.is(lstatSync(exec).mode & 0o7777, 0o555);
  assert.is(lstatSync(exec).nlink, 2);
  assert.is(lstatSync(join(ours, f.d2, 'sub')).mtimeMs, 1000);
  assert.is(lstatSync(join(ours, f.hello2)).ino, lstatSync(join(ours, f.hello)).ino);

  const second = await compare(ours, theirs);
  assert.equal(second.lines, ['0.00 MiB freed by hard-linking 0 files']);
  assert.equal(second.progress.at(-1), [7, 7]);
  const check = runNixStore(ours, ['--verify', '--check-contents']);
  assert.is(check.status, 0);
  assert.equal(check.lines, [
    'reading the Nix store...',
    'checking path existence...',
    'checking link hashes...',
    'checking store hashes...',
  ]);
});

nixTest('a writable file is skipped with a warning', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) chmodSync(join(root, f.d1, 'b'), 0o644);
  const r = await compare(ours, theirs);
  assert.equal(r.lines, [
    `warning: skipping suspicious writable file '<root>/nix/store/${f.d1.slice(11)}/b'`,
    '0.00 MiB freed by hard-linking 4 files',
  ]);
});

nixTest('a .links entry of the wrong size is replaced, with both warnings', async () => {
  const optimised = cloneStore(base().root, join(tmp.path, 'optimised'));
  nix('nix-store', ['--store', optimised, '--optimise']);
  const { ours, theirs } = copies(optimised);
  const key = '0zv3q8kzg89iw672fc00j77qqaw887zlr5nkzgcxlycbq0ykfsms';
  for (const root of [ours, theirs]) {
    const link = join(root, 'nix/store/.links', key);
    rmSync(link);
    writeFileSync(link, 'x', { mode: 0o444 });
  }
  const r = await compare(ours, theirs);
  assert.equal(r.lines, [
    `warning: removing corrupted link '<root>/nix/store/.links/${key}'`,
    'warning: There may be more corrupted paths.',
    'You should run `nix-store --verify --check-contents --repair` to fix them all',
    '0.00 MiB freed by hard-linking 0 files',
  ]);
  assert.is(readFileSync(join(ours, 'nix/store/.links', key), 'utf8'), 'same content\n');
});

nixTest('optimisePath path by path ends where nix-store --optimise does', async () => {
  const f = base();
  const { ours, theirs } = copies();
  const t = testContext(ours);
  const stats = newOptimiseStats();
  const lines: string[] = [];
  try {
    for (const p of [f.hello, f.hello2, f.d1, f.d2, f.p, f.r, f.x].sort()) {
      await optimisePath(t.ctx, p, stats, { log: (l) => lines.push(l) });
    }
  } finally {
    t.close();
  }
  const nixRun = runNixStore(theirs, ['--optimise']);
  assert.equal([...lines, optimiseSummary(stats)], nixRun.lines);
  assert.is(diskState(ours), diskState(theirs));
});

nixTest(
  'with repair, a .links entry of the right size but wrong contents is replaced',
  async () => {
    const f = base();
    const { ours } = copies();
    const t = testContext(ours);
    const key = nix('nix-hash', ['--type', 'sha256', '--base32', join(f.root, f.hello)]);
    const link = join(ours, 'nix/store/.links', key);
    writeFileSync(link, 'HELLO\n', { mode: 0o444 });
    const lines: string[] = [];
    const stats = newOptimiseStats();
    try {
      await optimisePath(t.ctx, f.hello, stats, { repair: true, log: (l) => lines.push(l) });
    } finally {
      t.close();
    }
    assert.equal(normalise(ours, lines), [
      `warning: removing corrupted link '<root>/nix/store/.links/${key}'`,
      'warning: There may be more corrupted paths.',
      'You should run `nix-store --verify --check-contents --repair` to fix them all',
    ]);
    assert.is(lstatSync(link).ino, lstatSync(join(ours, f.hello)).ino);
    assert.equal(stats, { filesLinked: 0, bytesFreed: 0n });
  },
);

nixTest('link keys equal nix-hash --type sha256 --base32', async () => {
  await withFiles(async (dir) => {
    for (const name of ['plain', 'exec', 'link', 'empty']) {
      assert.is(
        await linkKey(join(dir, name)),
        nix('nix-hash', ['--type', 'sha256', '--base32', join(dir, name)]),
        name,
      );
    }
  });
});

async function withFiles(fn: (dir: string) => Promise<void>): Promise<void> {
  const d = tempDir();
  try {
    writeFileSync(join(d.path, 'plain'), 'same content\n');
    writeFileSync(join(d.path, 'exec'), 'same content\n', { mode: 0o755 });
    writeFileSync(join(d.path, 'empty'), '');
    symlinkSync('plain', join(d.path, 'link'));
    await fn(d.path);
  } finally {
    d.cleanup();
  }
}

test('MiB with two decimals, rounded as C printf rounds (ties to even)', () => {
  const cases: [bigint, string][] = [
    [0n, '0.00'],
    [46n, '0.00'],
    [5242n, '0.00'], // 0.00499…
    [5243n, '0.01'], // 0.00500…
    [5243n * 2n, '0.01'],
    [131072n, '0.12'], // exactly 0.125
    [393216n, '0.38'], // exactly 0.375
    [1048576n, '1.00'],
    [1572864n * 1024n, '1536.00'],
  ];
  for (const [bytes, text] of cases) assert.is(formatMiB(bytes), text, String(bytes));
});

nixTest('MiB rendering matches printf %.2f on random sizes', () => {
  for (let i = 0; i < 50; i++) {
    const bytes = BigInt(Math.floor(Math.random() * 2 ** 40));
    const c = execFileSync('printf', ['%.2f', String(Number(bytes) / 1048576)], {
      encoding: 'utf8',
    });
    assert.is(formatMiB(bytes), c, String(bytes));
  }
});

test.run();
