/**
 * Test fixture (not part of the package's build) for verify and optimise: a small chroot
 * store filled by Nix 2.8, copies of it (`cp -a`) so that Nix and Strata can each work on an
 * identical one, and snapshots of a store's database and files to compare the results.
 *
 * @example
 *   const f = makeVerifyFixture(dir);
 *   const [ours, theirs] = [cloneStore(f.root, `${dir}/a`), cloneStore(f.root, `${dir}/b`)];
 *   const nixOut = runNixStore(theirs, ['--verify', '--check-contents']);
 *   assert.equal(diskState(ours), diskState(theirs));
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** What `makeVerifyFixture` made; the paths are logical store paths. */
export interface VerifyFixture {
  readonly root: string;
  /** `nix-store --add hello.txt` (`hello\n`). */
  readonly hello: string;
  /** A chain of `toFile` paths: x refers to r, r refers to p. */
  readonly p: string;
  readonly r: string;
  readonly x: string;
  /** Directories with identical files: d1 {a, b, l → a}, d2 {a, x (0555), l → a, sub/c}. */
  readonly d1: string;
  readonly d2: string;
}

function run(args: string[], input?: string): string {
  return execFileSync('nix-store', args, { env, input, encoding: 'utf8', stdio: 'pipe' }).trim();
}

const SAME = 'same content\n';

/** Fills `<dir>/base` with Nix (see {@link VerifyFixture}). */
export function makeVerifyFixture(dir: string): VerifyFixture {
  const root = join(dir, 'base');
  const store = ['--store', root];
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  const hello = run([...store, '--add', join(dir, 'hello.txt')]);
  const d1 = join(dir, 'd1');
  mkdirSync(d1);
  writeFileSync(join(d1, 'a'), SAME);
  writeFileSync(join(d1, 'b'), SAME);
  symlinkSync('a', join(d1, 'l'));
  const d2 = join(dir, 'd2');
  mkdirSync(join(d2, 'sub'), { recursive: true });
  writeFileSync(join(d2, 'a'), SAME);
  writeFileSync(join(d2, 'x'), SAME);
  chmodSync(join(d2, 'x'), 0o755);
  symlinkSync('a', join(d2, 'l'));
  writeFileSync(join(d2, 'sub', 'c'), SAME);
  const storeD1 = run([...store, '--add', d1]);
  const storeD2 = run([...store, '--add', d2]);
  const expr =
    // Nix string interpolation, not JavaScript's.
    `let p = builtins.toFile "p.txt" "p"; r = builtins.toFile "r.txt" "r \${p}"; in builtins.toFile "x.txt" "x \${r}"`;
  const x = execFileSync('nix-instantiate', [...store, '--eval', '--read-write-mode', '-E', expr], {
    env,
    encoding: 'utf8',
    stdio: 'pipe',
  })
    .trim()
    .replace(/"/g, '');
  const r = run([...store, '-q', '--references', x]);
  const p = run([...store, '-q', '--references', r]);
  return { root, hello, p, r, x, d1: storeD1, d2: storeD2 };
}

/** `cp -a` of a store root to `dest`; returns `dest`. */
export function cloneStore(root: string, dest: string): string {
  execFileSync('cp', ['-a', root, dest]);
  return dest;
}

/** The result of one `nix-store --store <root> …` run, root rewritten to `<root>`. */
export interface NixRun {
  readonly status: number | null;
  readonly lines: string[];
}

/** Runs `nix-store --store <root> --option substituters '' ARGS`; its stderr lines. */
export function runNixStore(root: string, args: string[]): NixRun {
  const r = spawnSync('nix-store', ['--store', root, '--option', 'substituters', '', ...args], {
    env,
    encoding: 'utf8',
  });
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  return { status: r.status, lines: lines.map((l) => l.split(root).join('<root>')) };
}

/** `lines` with `root` rewritten to `<root>`, to compare with a {@link NixRun}. */
export function normalise(root: string, lines: readonly string[]): string[] {
  return lines.flatMap((l) => l.split('\n')).map((l) => l.split(root).join('<root>'));
}

/** The database as `nix-store --dump-db` prints it (paths, hashes, sizes, references). */
export function dbState(root: string): string {
  return run(['--store', root, '--dump-db']);
}

/**
 * Every node under the real store dir (lock files aside): relative path, type, mode, link
 * count, mtime and size, sorted; contents are covered by `--dump-db` plus `verify`. The mtime
 * of `.links` itself (not canonicalised: it changes with every link) is left out.
 */
export function diskState(root: string): string {
  return execFileSync(
    'find',
    [
      join(root, 'nix/store'),
      '-mindepth',
      '1',
      '-not',
      '-name',
      '*.lock',
      '-printf',
      '%P %y %m %n %T@ %s\n',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.startsWith('.links d ') ? l.replace(/ [0-9.]+ (\d+)$/, ' - $1') : l))
    .sort()
    .join('\n');
}

/**
 * Overwrites a read-only file in the store in place (`chmod u+w`, write, `chmod` back, mtime
 * back to 1 so that two copies edited at different times stay identical).
 */
export function editInPlace(file: string, contents: string, mode = 0o444): void {
  chmodSync(file, mode | 0o200);
  writeFileSync(file, contents);
  chmodSync(file, mode);
  utimesSync(file, 1, 1);
}

/** Runs one SQL statement on a store's database with the `sqlite3` CLI. */
export function sql(root: string, statement: string): string {
  return execFileSync('sqlite3', [join(root, 'nix/var/nix/db/db.sqlite'), statement], {
    encoding: 'utf8',
  }).trim();
}
