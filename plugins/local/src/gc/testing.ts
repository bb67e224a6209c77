/**
 * Test fixture for the collector (not part of the package's build): a small chroot store made
 * by real Nix 2.8 with every kind of root and garbage the collector must handle, and helpers to
 * run `nix-store` on a copy of it and to look at what a collection left.
 *
 * @example
 *   const fx = makeGcStore(base);              // base/s is the store's root
 *   copyStore(fx.root, `${base}/nix`);          // run Nix on one copy, Strata on another
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** Options every `nix-store` call in these tests gets (builds in a chroot store need them). */
export const NIX_OPTIONS = [
  '--option',
  'build-users-group',
  '',
  '--option',
  'extra-sandbox-paths',
  '/bin /lib /lib64 /usr',
];

/** What `runNix` saw. */
export interface NixRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a Nix command on the store at `root` (`--store root` is added), never throwing. */
export function runNix(
  cmd: string,
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): NixRun {
  const r = spawnSync(cmd, ['--store', root, ...NIX_OPTIONS, ...args], {
    encoding: 'utf8',
    env: { ...NIX_ENV, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `runNix`, but throws with stderr on failure and returns trimmed stdout. */
export function nixOk(cmd: string, root: string, args: string[]): string {
  const r = runNix(cmd, root, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

/** The store paths of the fixture, by role. */
export interface GcStore {
  readonly root: string;
  /** Rooted by `gcroots/myroot` (a direct symlink). */
  readonly rootedA: string;
  /** Rooted by a regular file in `gcroots` named after it. */
  readonly fileRooted: string;
  /** Rooted through profile `p` (`p -> p-1-link -> withref`); refers to `dep`. */
  readonly withref: string;
  readonly dep: string;
  /** Built output, rooted by the indirect root `<base>/result`, and its `.drv`. */
  readonly built: string;
  readonly builtDrv: string;
  /** Garbage. */
  readonly hello: string;
  readonly oldDrv: string;
  readonly dup1: string;
  readonly dup2: string;
  /** A valid path that refers to `hello`, and one that refers to itself. */
  readonly refersToHello: string;
}

/** Builds the fixture store at `<base>/s` (takes a second or two: one real build). */
export function makeGcStore(base: string): GcStore {
  const root = join(base, 's');
  const files = join(base, 'files');
  mkdirSync(files, { recursive: true });
  const add = (name: string, content: string) => {
    writeFileSync(join(files, name), content);
    return nixOk('nix-store', root, ['--add', join(files, name)]);
  };
  const rootedA = add('a', 'a\n');
  const fileRooted = add('b', 'b\n');
  const hello = add('hello.txt', 'hello\n');
  const big = 'same content\n'.repeat(20000);
  const dup1 = add('dup1', big);
  const dup2 = add('dup2', big);
  const evalRaw = (expr: string) =>
    nixOk('nix', root, ['eval', '--impure', '--raw', '--expr', expr]);
  // `$` spelled apart: these are Nix interpolations, not template placeholders.
  const withref = evalRaw(`builtins.toFile "withref" "${'$'}{builtins.toFile "dep" "x"}"`);
  const dep = evalRaw('builtins.toFile "dep" "x"');
  const refersToHello = evalRaw(`builtins.toFile "refers" "${'$'}{builtins.storePath "${hello}"}"`);
  const drvExpr = (name: string) =>
    `derivation { name="${name}"; system=builtins.currentSystem; builder="/bin/sh"; args=["-c" "echo ${name} > $out"]; }`;
  writeFileSync(join(files, 'built.nix'), drvExpr('built'));
  const built = nixOk('nix-build', root, [join(files, 'built.nix'), '-o', join(base, 'result')]);
  const builtDrv = nixOk('nix-store', root, ['--query', '--deriver', built]);
  writeFileSync(join(files, 'old.nix'), drvExpr('old'));
  const oldDrv = nixOk('nix-instantiate', root, [join(files, 'old.nix')])
    .split('\n')
    .at(-1)!;
  nixOk('nix-store', root, ['--optimise']);

  const state = join(root, 'nix/var/nix');
  const store = join(root, 'nix/store');
  symlinkSync(rootedA, join(state, 'gcroots/myroot'));
  writeFileSync(join(state, 'gcroots', fileRooted.slice('/nix/store/'.length)), '');
  symlinkSync(withref, join(state, 'profiles/p-1-link'));
  symlinkSync('p-1-link', join(state, 'profiles/p'));
  mkdirSync(join(state, 'gcroots/auto'), { recursive: true });
  symlinkSync(join(base, 'gone'), join(state, 'gcroots/auto/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'));
  symlinkSync(join(base, 'gone2'), join(state, 'gcroots/elsewhere'));
  symlinkSync('/nix/store/00000000000000000000000000000000-nope', join(state, 'gcroots/invalid'));
  // Garbage that is not a valid path: a lock file, a 2.8 temp dir, an old trash dir.
  writeFileSync(`${store}/${hello.slice(11, 43)}-leftover.lock`, '');
  mkdirSync(`${store}/add-123-1/sub`, { recursive: true });
  writeFileSync(`${store}/add-123-1/sub/f`, 'f');
  mkdirSync(`${store}/trash/x`, { recursive: true });
  writeFileSync(`${store}/trash/x/f`, 'data');
  chmodSync(`${store}/trash/x/f`, 0o444);
  chmodSync(`${store}/trash/x`, 0o555);
  return {
    root,
    rootedA,
    fileRooted,
    withref,
    dep,
    built,
    builtDrv,
    hello,
    oldDrv,
    dup1,
    dup2,
    refersToHello,
  };
}

/** Copies a store directory with `cp -a` (same file system, so the same directory order). */
export function copyStore(from: string, to: string): void {
  execFileSync('cp', ['-a', from, to]);
}

/** The valid paths in the store's database, sorted. */
export function validPaths(root: string): string[] {
  const db = new Database(join(root, 'nix/var/nix/db/db.sqlite'), { readonly: true });
  try {
    return db.prepare<[], string>('select path from ValidPaths order by path').pluck().all();
  } finally {
    db.close();
  }
}

/** `referrer -> reference` rows of the store's database, sorted. */
export function referenceRows(root: string): string[] {
  const db = new Database(join(root, 'nix/var/nix/db/db.sqlite'), { readonly: true });
  try {
    return db
      .prepare<[], string>(
        "select a.path || ' -> ' || b.path from Refs join ValidPaths a on referrer = a.id join ValidPaths b on reference = b.id order by 1",
      )
      .pluck()
      .all();
  } finally {
    db.close();
  }
}

/** The entries of the real store dir (and of `.links`), sorted. */
export function storeEntries(root: string): string[] {
  const store = join(root, 'nix/store');
  const links = readdirSync(join(store, '.links')).map((n) => `.links/${n}`);
  return [...readdirSync(store), ...links].sort();
}

/** Lines of `text`, without the empty last one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** Reads a file as text (for symlink-free checks in tests). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
