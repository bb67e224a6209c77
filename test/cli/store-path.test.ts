// `strata store-path fixed|source|text|parse` as a process, against the paths Nix 2.8 gives
// the same objects (`nix-store --print-fixed-path`, `nix-store --add`, `builtins.toFile`) in
// scratch stores, with the default and a non-default store directory.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomStoreName, randomTree, strataText } from './helpers.js';

const test = suite('strata store-path (CLI) vs nix');
const nixTest = requires(test, NIX);

/** `withTempDir` that can clean up scratch stores, whose directories Nix makes read-only. */
function withStoreTempDir(fn: (dir: string) => void): Promise<void> {
  return withTempDir((dir) => {
    try {
      fn(dir);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', dir]);
    }
  });
}

/** A Nix string literal holding `s`. */
function nixString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n')}"`;
}

/** The store URL of a scratch store under `dir`: chroot at /nix/store, or a logical /opt/store. */
function storeUrl(dir: string, optStore: boolean): string {
  return optStore
    ? `local?store=/opt/store&real=${dir}/real&state=${dir}/state&log=${dir}/log`
    : join(dir, 'root');
}

nixTest('store-path fixed equals nix-store --print-fixed-path', async () => {
  await withStoreTempDir((dir) => {
    const file = join(dir, 'content');
    const cases: { algo: string; enc: string; recursive: boolean; optStore: boolean }[] = [
      { algo: 'sha256', enc: 'base32', recursive: false, optStore: false },
      { algo: 'sha256', enc: 'base16', recursive: true, optStore: false },
      { algo: 'sha1', enc: 'base16', recursive: true, optStore: false },
      { algo: 'md5', enc: 'base32', recursive: false, optStore: false },
      { algo: 'sha512', enc: 'base64', recursive: false, optStore: false },
      { algo: 'sha256', enc: 'sri', recursive: false, optStore: true },
      { algo: 'sha512', enc: 'base32', recursive: true, optStore: true },
    ];
    for (const c of cases) {
      writeFileSync(file, randomBytes(randomInt(0, 200)));
      const hash = nix('nix', ['hash', 'file', '--type', c.algo, `--${c.enc}`, file]);
      // nix-store takes a leading `-` for a flag, even after `--`: no such names here.
      const name = randomStoreName().replace(/^-/, 'x');
      const flags = c.recursive ? ['--recursive'] : [];
      const ours = strataText([
        'store-path',
        'fixed',
        ...flags,
        ...(c.optStore ? ['--store-dir', '/opt/store'] : []),
        c.algo,
        hash,
        name,
      ]);
      const theirs = nix('nix-store', [
        ...(c.optStore ? ['--store', storeUrl(dir, true)] : []),
        '--print-fixed-path',
        ...flags,
        c.algo,
        hash,
        name,
      ]);
      assert.is(ours, theirs, JSON.stringify(c));
    }
  });
});

nixTest('store-path source equals the path nix-store --add gives', async () => {
  await withStoreTempDir((dir) => {
    const tree = join(dir, randomStoreName());
    randomTree(tree, 3);
    const file = join(dir, `f${randomStoreName()}`);
    writeFileSync(file, randomBytes(randomInt(0, 3000)));
    for (const optStore of [false, true]) {
      const paths = optStore ? [tree, file] : [tree, file, join(tree, 'sub'), join(tree, 'empty')];
      const theirs = nix('nix-store', ['--store', storeUrl(dir, optStore), '--add', ...paths]);
      const ours = paths.map((p) =>
        strataText(['store-path', 'source', ...(optStore ? ['--store-dir', '/opt/store'] : []), p]),
      );
      assert.is(ours.join('\n'), theirs, `optStore ${optStore}`);
    }
  });
});

nixTest('store-path text equals builtins.toFile, with and without references', async () => {
  await withStoreTempDir((dir) => {
    const CHARS = 'abc XYZ 012\n\t"\\{$}é日';
    const randomText = () =>
      Array.from({ length: randomInt(0, 60) }, () => CHARS[randomInt(CHARS.length)]).join('');
    const file = join(dir, `src-${randomStoreName()}`);
    writeFileSync(file, randomBytes(100));
    const tree = join(dir, `tree-${randomStoreName()}`);
    randomTree(tree, 1);
    for (const optStore of [false, true]) {
      const url = storeUrl(dir, optStore);
      const dirFlags = optStore ? ['--store-dir', '/opt/store'] : [];
      const toFile = (expr: string) =>
        JSON.parse(
          nix('nix-instantiate', [
            '--store',
            url,
            '--read-write-mode',
            '--eval',
            '--json',
            '-E',
            expr,
          ]),
        ) as string;
      // No references; contents on stdin.
      const name = randomStoreName();
      const text = randomText();
      assert.is(
        strataText(['store-path', 'text', ...dirFlags, '--', name, '-'], {
          input: Buffer.from(text),
        }),
        toFile(`builtins.toFile ${nixString(name)} ${nixString(text)}`),
        'no references',
      );
      // References to a file and a tree added by interpolation (with string context).
      const refFile = strataText(['store-path', 'source', ...dirFlags, file]);
      const refTree = strataText(['store-path', 'source', ...dirFlags, tree]);
      const parts = [randomText(), randomText(), randomText()];
      const contents = `${parts[0]}${refFile}${parts[1]}${refTree}${parts[2]}`;
      const contentsFile = join(dir, 'contents');
      writeFileSync(contentsFile, contents);
      const name2 = randomStoreName();
      const expr =
        `builtins.toFile ${nixString(name2)} (${nixString(parts[0]!)} + "\${/. + ${nixString(file)}}"` +
        ` + ${nixString(parts[1]!)} + "\${/. + ${nixString(tree)}}" + ${nixString(parts[2]!)})`;
      assert.is(
        strataText([
          'store-path',
          'text',
          ...dirFlags,
          '--ref',
          refTree,
          '--ref',
          refFile,
          '--',
          name2,
          contentsFile,
        ]),
        toFile(expr),
        'with references',
      );
    }
  });
});

test('store-path parse: text and --json output', () => {
  const a = '/nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-net-tools-1.60_p20170221182432';
  const b = '/nix/store/ffffffffffffffffffffffffffffffff-x.drv';
  assert.is(
    strataText(['store-path', 'parse', a, b]),
    `${a}\t00bgd045z0d4icpbc2yyz4gx48ak44la\tnet-tools-1.60_p20170221182432\n${b}\tffffffffffffffffffffffffffffffff\tx.drv`,
  );
  assert.equal(JSON.parse(strataText(['--json', 'store-path', 'parse', a, b])), [
    {
      path: a,
      hashPart: '00bgd045z0d4icpbc2yyz4gx48ak44la',
      name: 'net-tools-1.60_p20170221182432',
      isDerivation: false,
    },
    { path: b, hashPart: 'ffffffffffffffffffffffffffffffff', name: 'x.drv', isDerivation: true },
  ]);
  // The global flag goes anywhere; another store directory.
  const c = `/opt/store/${'a'.repeat(32)}-${'n'.repeat(211)}`;
  assert.equal(
    JSON.parse(strataText(['store-path', 'parse', '--store-dir', '/opt/store', c, '--json'])),
    [{ path: c, hashPart: 'a'.repeat(32), name: 'n'.repeat(211), isDerivation: false }],
  );
});

test.run();
