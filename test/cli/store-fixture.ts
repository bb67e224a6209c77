/**
 * Scratch chroot stores made by real Nix 2.8 for the store-command tests: a file, a random
 * tree, text objects with references between them (`builtins.toFile`) and a random DAG of
 * text objects, plus a `result` symlink into the store as `nix-build` leaves one.
 *
 * @example
 *   await withStoreDir((dir) => {
 *     const s = makeNixStore(dir);
 *     nixQuery(s.root, '--requisites', s.top);
 *   });
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nix, nixRaw, withTempDir } from '@strata/test-support';
import { randomTree } from './helpers.js';

/** What {@link makeNixStore} made. */
export interface NixStoreFixture {
  /** The chroot store's root (the `--store` argument). */
  readonly root: string;
  /** A file added with `nix-store --add`. */
  readonly hello: string;
  /** A random tree added with `nix-store --add`. */
  readonly tree: string;
  /** A text object referring to `hello` and `tree`. */
  readonly withref: string;
  /** A text object referring to `withref` and `hello`. */
  readonly top: string;
  /** A random DAG of text objects, each referring to some earlier ones. */
  readonly dag: readonly string[];
  /** `<dir>/result` → `top`, and `<dir>/result2` → `<dir>/result`. */
  readonly result: string;
  readonly result2: string;
}

/** Runs `fn` in a temporary directory, making Nix's read-only store dirs removable after. */
export function withStoreDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    try {
      return await fn(dir);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', dir]);
    }
  });
}

/** `nix-store --store ROOT ARGS…`, stdout bytes. */
export function nixStore(root: string, ...args: string[]): Buffer {
  return nixRaw('nix-store', ['--store', root, ...args]);
}

/** Evaluates `expr` (impure, so `builtins.storePath` works) in the store at `root`. */
export function nixEvalJson<T>(root: string, expr: string): T {
  return JSON.parse(
    nix('nix', ['eval', '--impure', '--store', root, '--json', '--expr', expr]),
  ) as T;
}

/** A random DAG on `n` nodes: node i refers to some nodes before it. */
function randomDag(n: number): number[][] {
  return Array.from({ length: n }, (_v, i) =>
    Array.from({ length: i }, (_w, j) => j).filter(() => Math.random() < 0.4),
  );
}

/** Builds the fixture store under `dir` with real Nix. */
export function makeNixStore(dir: string, name = 'root'): NixStoreFixture {
  const root = join(dir, name);
  const src = join(dir, `${name}-src`);
  mkdirSync(src);
  writeFileSync(join(src, 'hello.txt'), `hello ${Math.random()}\n`);
  randomTree(join(src, 'tree'), 1);
  const hello = nixStore(root, '--add', join(src, 'hello.txt')).toString().trim();
  const tree = nixStore(root, '--add', join(src, 'tree')).toString().trim();
  const tag = String(Math.random()).slice(2);
  const [withref, top] = nixEvalJson<[string, string]>(
    root,
    `let h = builtins.storePath ${hello}; t = builtins.storePath ${tree};
         w = builtins.toFile "withref" "${tag} \${h} \${t}";
     in [ w (builtins.toFile "top" "${tag} \${w} \${h}") ]`,
  );
  const refs = randomDag(7);
  const names = refs.map((_r, i) => `n${i}`);
  const lets = refs
    .map(
      (rs, i) =>
        `${names[i]} = builtins.toFile "${names[i]}" "${tag}${rs.map((j) => ` \${${names[j]}}`).join('')}";`,
    )
    .join(' ');
  const dag = nixEvalJson<string[]>(root, `let ${lets} in [ ${names.join(' ')} ]`);
  const result = join(dir, `${name}-result`);
  const result2 = join(dir, `${name}-result2`);
  symlinkSync(top!, result);
  symlinkSync(result, result2);
  return { root, hello, tree, withref: withref!, top: top!, dag, result, result2 };
}
