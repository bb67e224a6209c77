import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { NIX, nixFails, nixRaw, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../../errors.js';
import type { NarEvent } from '../events.js';
import { utf8 } from '../format.js';
import { parseNar } from '../parse.js';
import {
  chunked,
  collectBytes,
  narTokens,
  narTreeOfDiskTree,
  randomDiskTree,
  seededRandom,
} from '../testing.js';
import { type NarTree, narEventsOfTree } from '../tree.js';
import { encodeNar } from '../write.js';
import { dumpPath } from './dump.js';
import { restorePath } from './restore.js';
import { writeTreeToDisk } from './testing.js';

const test = suite('nar restore');
const nixTest = requires(test, NIX);

const SMALL: NarTree = {
  type: 'directory',
  entries: {
    f: { type: 'regular', contents: 'a' },
    l: { type: 'symlink', target: 'f' },
    sub: { type: 'directory', entries: { x: { type: 'regular', contents: '', executable: true } } },
    e: { type: 'directory', entries: {} },
  },
};

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

const mode = (p: string) => lstatSync(p).mode & 0o7777;

async function fails(p: Promise<unknown>, code: string, message: string) {
  try {
    await p;
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    assert.is(e.code, code);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`no error; expected: ${message}`);
}

test('restores contents, symlinks verbatim, and the modes of §3.4 (umask 022 and 077)', async () => {
  for (const [mask, dirMode, fileMode, execMode] of [
    [0o022, 0o755, 0o644, 0o755],
    [0o077, 0o700, 0o600, 0o711],
  ]) {
    await withUmask(mask, () =>
      withTempDir(async (dir) => {
        const out = join(dir, 'out');
        await restorePath(out, narEventsOfTree(SMALL));
        assert.is(mode(out), dirMode);
        assert.is(mode(join(out, 'e')), dirMode);
        assert.is(mode(join(out, 'f')), fileMode);
        assert.is(mode(join(out, 'sub', 'x')), execMode);
        assert.is(readFileSync(join(out, 'f'), 'utf8'), 'a');
        assert.is(readlinkSync(join(out, 'l')), 'f');
        assert.equal(readdirSync(join(out, 'e')), []);
      }),
    );
  }
});

test('dump → restore → dump gives the same bytes (random trees, odd names, a few MiB)', async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const tree = randomDiskTree(seededRandom(seed), { bigFileBytes: seed === 1 ? 3 << 20 : 0 });
    await withTempDir(async (dir) => {
      writeTreeToDisk(join(dir, 'a'), tree);
      const nar = await collectBytes(dumpPath(join(dir, 'a')));
      await restorePath(join(dir, 'b'), parseNar(chunked(nar, 65536)));
      assert.equal(await collectBytes(dumpPath(join(dir, 'b'))), nar, `seed ${seed}`);
      assert.equal(nar, encodeNar(narEventsOfTree(narTreeOfDiskTree(tree))));
    });
  }
});

test('an existing target fails like Nix, for each kind of root', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    mkdirSync(out);
    await fails(
      restorePath(out, narEventsOfTree({ type: 'directory', entries: {} })),
      'STRATA_ERR_IO_FAILED',
      `creating directory '${out}': File exists`,
    );
    await fails(
      restorePath(out, narEventsOfTree({ type: 'regular', contents: 'x' })),
      'STRATA_ERR_NAR_RESTORE_EXISTS',
      `creating file '${out}': File exists`,
    );
    await fails(
      restorePath(out, narEventsOfTree({ type: 'symlink', target: 'f' })),
      'STRATA_ERR_NAR_RESTORE_SYMLINK',
      `creating symlink from '${out}' to 'f': File exists`,
    );
    // a dangling symlink is an existing name too, and is not followed
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'dangling'));
    await fails(
      restorePath(join(dir, 'dangling'), narEventsOfTree({ type: 'regular', contents: 'x' })),
      'STRATA_ERR_NAR_RESTORE_EXISTS',
      `creating file '${join(dir, 'dangling')}': File exists`,
    );
    assert.not.ok(existsSync(join(dir, 'elsewhere')));
  });
});

test('never writes through a symlink from the NAR, nor outside the target', async () => {
  await withTempDir(async (dir) => {
    const victim = join(dir, 'victim');
    mkdirSync(victim);
    const out = join(dir, 'out');
    // "a" -> victim, then "a" again as a directory with a child: refused before anything is written into it
    const evil: NarEvent[] = [
      { type: 'directory' },
      { type: 'entry', name: utf8('a') },
      { type: 'symlink', target: utf8(victim) },
      { type: 'entry', name: utf8('a') },
      { type: 'directory' },
      { type: 'entry', name: utf8('pwned') },
      { type: 'regular', executable: false, size: 0 },
      { type: 'regular-end' },
      { type: 'directory-end' },
      { type: 'directory-end' },
    ];
    await fails(restorePath(out, evil), 'STRATA_ERR_NAR_NOT_SORTED', 'NAR directory is not sorted');
    assert.equal(readdirSync(victim), []);
    for (const name of ['..', '../x', 'a/b', '/abs']) {
      const t = join(dir, `t${readdirSync(dir).length}`);
      await fails(
        restorePath(t, [
          { type: 'directory' },
          { type: 'entry', name: utf8(name) },
          { type: 'regular', executable: false, size: 0 },
          { type: 'regular-end' },
          { type: 'directory-end' },
        ]),
        'STRATA_ERR_NAR_RESTORE_OUTSIDE',
        `refusing to write '${t}/${name}' outside the restore target`,
      );
    }
    assert.not.ok(existsSync(join(dir, 'x')));
  });
});

test('a malformed NAR fails mid-way; what was created stays for the caller to remove', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    const nar = narTokens(
      'nix-archive-1',
      '(',
      'type',
      'directory',
      'entry',
      '(',
      'name',
      'a',
      'node',
      '(',
      'type',
      'regular',
      'contents',
      'hi',
      ')',
      ')',
      'entry',
      '(',
      'name',
      '..',
      'node',
    );
    await fails(
      restorePath(out, parseNar([nar])),
      'STRATA_ERR_NAR_INVALID_NAME',
      `NAR contains invalid file name '..' (at byte ${nar.length - 32})`,
    );
    assert.is(readFileSync(join(out, 'a'), 'utf8'), 'hi');
    // a truncated NAR: the partial file is closed, the error is the parser's
    await fails(
      restorePath(
        join(dir, 'trunc'),
        parseNar([
          encodeNar(narEventsOfTree({ type: 'regular', contents: 'hello' })).subarray(0, 100),
        ]),
      ),
      'STRATA_ERR_NAR_UNEXPECTED_EOF',
      'unexpected end-of-file (at byte 100)',
    );
  });
});

// --- against Nix 2.8 ------------------------------------------------------------------------

nixTest('nix-store --restore of our NAR re-dumps to the same bytes; modes match Nix', async () => {
  for (let seed = 30; seed < 36; seed++) {
    const tree = randomDiskTree(seededRandom(seed));
    await withTempDir(async (dir) => {
      writeTreeToDisk(join(dir, 'a'), tree);
      const nar = await collectBytes(dumpPath(join(dir, 'a')));
      nixRaw('nix-store', ['--restore', join(dir, 'nix')], nar);
      await restorePath(join(dir, 'ours'), parseNar([nar]));
      assert.equal(await collectBytes(dumpPath(join(dir, 'nix'))), nar, `seed ${seed}`);
      const modes = (root: string): string[] => {
        const out: string[] = [];
        const walk = (p: string, rel: string) => {
          const st = lstatSync(p);
          out.push(`${rel} ${(st.mode & 0o7777).toString(8)}`);
          if (st.isDirectory())
            for (const n of readdirSync(p).sort()) walk(join(p, n), `${rel}/${n}`);
        };
        walk(root, '.');
        return out;
      };
      assert.equal(modes(join(dir, 'ours')), modes(join(dir, 'nix')));
    });
  }
});

nixTest('existing-target messages are the ones nix-store --restore prints', async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, 'out');
    writeFileSync(out, '');
    for (const tree of [
      { type: 'directory', entries: {} },
      { type: 'regular', contents: 'x' },
      { type: 'symlink', target: 'f' },
    ] as NarTree[]) {
      const nar = encodeNar(narEventsOfTree(tree));
      const nix = nixFails('nix-store', ['--restore', out], nar).stderr.trim();
      try {
        await restorePath(out, parseNar([nar]));
        assert.unreachable('restored onto an existing path');
      } catch (e) {
        assert.is(`error: ${(e as Error).message}`, nix);
      }
    }
  });
});

test.run();
