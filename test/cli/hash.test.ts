// `strata hash path|file|convert` as a process, against `nix hash …` of Nix 2.8 on freshly
// generated trees and files.
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomTree, strataText } from './helpers.js';

const test = suite('strata hash (CLI) vs nix hash');
const nixTest = requires(test, NIX);

const ALGOS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
const ENCODINGS = ['base16', 'base32', 'base64', 'sri'] as const;

/** Random inputs: a tree, a file and an empty file, a symlink and an executable inside. */
function inputs(dir: string): { trees: string[]; files: string[] } {
  const tree = join(dir, 'tree');
  randomTree(tree);
  const file = join(dir, 'f é');
  writeFileSync(file, randomBytes(randomInt(1, 70_000)));
  return {
    trees: [tree, join(tree, 'sub'), join(tree, 'sub', 'link→'), join(tree, 'exé'), file],
    files: [file, join(tree, 'empty'), join(tree, 'sub', '日本')],
  };
}

nixTest('hash path: every algorithm and encoding equals nix hash path', async () => {
  await withTempDir((dir) => {
    const { trees } = inputs(dir);
    for (const algo of ALGOS) {
      for (const enc of ENCODINGS) {
        const ours = strataText(['hash', 'path', '--type', algo, `--${enc}`, ...trees]);
        const theirs = nix('nix', ['hash', 'path', '--type', algo, `--${enc}`, ...trees]);
        assert.is(ours, theirs, `${algo} ${enc}`);
      }
    }
    // Defaults: sha256, SRI.
    assert.is(strataText(['hash', 'path', ...trees]), nix('nix', ['hash', 'path', ...trees]));
  });
});

nixTest('hash file: every algorithm and encoding equals nix hash file', async () => {
  await withTempDir((dir) => {
    const { files } = inputs(dir);
    ALGOS.forEach((algo, i) => {
      // Each algorithm with two encodings, so all sixteen pairs are covered over two runs.
      for (const enc of [ENCODINGS[i]!, ENCODINGS[(i + 2) % 4]!]) {
        const ours = strataText(['hash', 'file', `--${enc}`, '--type', algo, ...files]);
        const theirs = nix('nix', ['hash', 'file', '--type', algo, `--${enc}`, ...files]);
        assert.is(ours, theirs, `${algo} ${enc}`);
      }
    });
    assert.is(strataText(['hash', 'file', ...files]), nix('nix', ['hash', 'file', ...files]));
  });
});

nixTest('the last encoding flag wins, as in nix hash', async () => {
  await withTempDir((dir) => {
    const { trees, files } = inputs(dir);
    const orders = [
      ['--base16', '--sri', '--base32'],
      ['--sri', '--base64', '--base16'],
      ['--base32', '--base16', '--sri'],
      ['--base64', '--base32', '--base16', '--base64'],
    ];
    for (const [k, flags] of orders.entries()) {
      const what = k % 2 === 0 ? 'path' : 'file';
      const args = [what, '--type', ALGOS[k]!, ...flags, ...(k % 2 === 0 ? trees : files)];
      assert.is(strataText(['hash', ...args]), nix('nix', ['hash', ...args]), flags.join(' '));
    }
  });
});

nixTest('hash convert --to equals nix hash to-*', async () => {
  await withTempDir((dir) => {
    const file = join(dir, 'x');
    // Inputs in every encoding and algorithm, with and without prefixes, as nix prints them.
    const prefixed: string[] = [];
    const bare = new Map<string, string[]>();
    for (const algo of ALGOS) {
      writeFileSync(file, randomBytes(randomInt(0, 500)));
      for (const enc of ENCODINGS) {
        const h = nix('nix', ['hash', 'file', '--type', algo, `--${enc}`, file]);
        if (enc === 'sri') prefixed.push(h);
        else {
          prefixed.push(`${algo}:${h}`);
          bare.set(algo, [...(bare.get(algo) ?? []), h]);
        }
      }
    }
    const nixCmd = { base16: 'to-base16', base32: 'to-base32', base64: 'to-base64', sri: 'to-sri' };
    for (const to of ENCODINGS) {
      assert.is(
        strataText(['hash', 'convert', '--to', to, ...prefixed]),
        nix('nix', ['hash', nixCmd[to], ...prefixed]),
        `--to ${to}`,
      );
    }
    // Bare hashes need --type; SRI is the default target.
    for (const [i, algo] of ['sha1', 'sha512'].entries()) {
      const hs = bare.get(algo)!;
      const to = i === 0 ? 'base32' : 'sri';
      const args = ['hash', 'convert', '--type', algo, ...(to === 'sri' ? [] : ['--to', to])];
      assert.is(
        strataText([...args, ...hs]),
        nix('nix', ['hash', nixCmd[to], '--type', algo, ...hs]),
        `--type ${algo}`,
      );
    }
    // `nix32` is accepted as another name of Nix's base32.
    assert.is(
      strataText(['hash', 'convert', '--to', 'nix32', ...prefixed]),
      nix('nix', ['hash', 'to-base32', ...prefixed]),
    );
  });
});

test.run();
