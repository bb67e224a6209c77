/**
 * Test fixture (not part of the package's build): a chroot store filled by Nix 2.8 itself with
 * every kind of row the database holds: `nix-store --add` (fixed:r ca), `toFile` text paths
 * with references, `.drv`s with several outputs and a fixed output, signatures from two keys,
 * and a self-referencing path with a deriver registered through `--register-validity`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** Runs a Nix command; its trimmed stdout. */
export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { env, input, encoding: 'utf8', stdio: 'pipe' }).trim();
}

/** What `makeNixStore` made. */
export interface NixStoreFixture {
  readonly root: string;
  readonly dbDir: string;
  readonly realStoreDir: string;
  readonly added: string;
  readonly addedDir: string;
  readonly textA: string;
  readonly textB: string;
  readonly multiDrv: string;
  readonly fixedDrv: string;
  readonly multiOut: string;
  readonly multiDev: string;
  readonly fixedOut: string;
  readonly selfRef: string;
  /** Every valid path, sorted. */
  readonly all: string[];
}

const EXPR = `
let
  a = builtins.toFile "a.txt" "x";
  b = builtins.toFile "b.txt" "refers to \${a}";
in [
  (derivation { name = "multi"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo \${b}" ]; outputs = [ "out" "dev" ]; })
  (derivation { name = "fixed"; system = "x86_64-linux"; builder = "/bin/sh"; outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "0000000000000000000000000000000000000000000000000000"; })
]`;

/** Fills `<dir>/root` with Nix 2.8 (see the module comment). */
export function makeNixStore(dir: string): NixStoreFixture {
  const root = join(dir, 'root');
  const store = ['--store', root];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  const added = run('nix-store', [...store, '--add', join(dir, 'hello.txt')]);
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  writeFileSync(join(tree, 'f'), 'f');
  writeFileSync(join(tree, 'x'), '');
  chmodSync(join(tree, 'x'), 0o755);
  symlinkSync('f', join(tree, 'l'));
  const addedDir = run('nix-store', [...store, '--add', tree]);
  writeFileSync(join(dir, 'e.nix'), EXPR);
  const [multiDrv, fixedDrv] = run('nix-instantiate', [...store, join(dir, 'e.nix')]).split('\n');
  const [multiOut, multiDev] = run('nix-store', [...store, '-q', '--outputs', multiDrv]).split(
    '\n',
  );
  const fixedOut = run('nix-store', [...store, '-q', '--outputs', fixedDrv]);
  const textB = run('nix-store', [...store, '-q', '--references', multiDrv])
    .split('\n')
    .find((p) => p.endsWith('-b.txt')) as string;
  const textA = run('nix-store', [...store, '-q', '--references', textB]);
  for (const key of ['k1', 'k2']) {
    run('nix-store', [
      '--generate-binary-cache-key',
      key,
      join(dir, `${key}.sec`),
      join(dir, `${key}.pub`),
    ]);
    run('nix', ['store', 'sign', ...store, '-k', join(dir, `${key}.sec`), added, textA]);
  }
  // An input-addressed path that refers to itself, as a build would leave it.
  const selfRef = '/nix/store/9j9d0wd3xbrcaqbcv3d1gk9gnqgjd5iw-selfref';
  const real = join(root, selfRef);
  writeFileSync(real, `I am ${selfRef}, see ${textA}\n`);
  chmodSync(real, 0o444);
  utimesSync(real, 1, 1);
  // --register-validity would canonicalise the logical path (a 2.8 bug with chroot stores).
  const hash = run('nix-hash', ['--type', 'sha256', real]);
  const size = execFileSync('nix-store', ['--dump', real]).length;
  const lines = [selfRef, hash, size, multiDrv, 2, selfRef, textA];
  run('nix-store', [...store, '--load-db'], `${lines.join('\n')}\n`);
  const all = [added, addedDir, textA, textB, multiDrv, fixedDrv, selfRef].sort();
  return {
    root,
    dbDir: join(root, 'nix/var/nix/db'),
    realStoreDir: join(root, 'nix/store'),
    added,
    addedDir,
    textA,
    textB,
    multiDrv,
    fixedDrv,
    multiOut,
    multiDev,
    fixedOut,
    selfRef,
    all,
  };
}
