/**
 * The malformed NARs of spec §3.4 fed to real Nix 2.8 (`nix-store --restore`): records what
 * 2.8 says (or that it accepts the input), and checks that Strata rejects every one of them,
 * with 2.8's text wherever 2.8 rejects too.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nixFails, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { parseNar } from './parse.js';
import { type NarToken, narTokens } from './testing.js';

const test = suite('nar parse vs nix-store --restore');
const nixTest = requires(test, NIX);

const M = 'nix-archive-1';
const REG: NarToken[] = ['(', 'type', 'regular', 'contents', '', ')'];
const entry = (name: string | Uint8Array, node: NarToken[] = REG): NarToken[] => [
  'entry',
  '(',
  'name',
  name,
  'node',
  ...node,
  ')',
];
const dirOf = (...entries: NarToken[][]): NarToken[] => [
  '(',
  'type',
  'directory',
  ...entries.flat(),
  ')',
];

async function strataMessage(bytes: Uint8Array): Promise<string | null> {
  try {
    for await (const _ of parseNar([bytes])) {
      // drain
    }
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    return e.message.replace(/ \(at byte \d+\)$/, '');
  }
  return null;
}

/** Runs `nix-store --restore` into a fresh directory; returns exit status, error line, dir. */
function nixRestore(bytes: Uint8Array, dir: string): { status: number | null; error: string } {
  const r = nixFails('nix-store', ['--restore', join(dir, 'out')], bytes);
  return { status: r.status, error: r.stderr.trim() };
}

interface Case {
  name: string;
  nar: Uint8Array;
  /** What 2.8 prints (`error: …`, with `<out>` for the target), or null: 2.8 exits 0. */
  nix: string | null;
  /** Strata's message (without the offset suffix). */
  strata: string;
  /** Extra check of what 2.8 left behind when it accepted the input. */
  after?: (out: string) => void;
}

const CASES: Case[] = [
  {
    name: 'bad magic',
    nar: narTokens('nix-archive-2', ...REG),
    nix: "error: bad archive: input doesn't look like a Nix archive",
    strata: "bad archive: input doesn't look like a Nix archive",
  },
  {
    name: 'absurd magic length',
    nar: narTokens({ u64: 2 ** 60 }, M),
    nix: "error: bad archive: input doesn't look like a Nix archive",
    strata: "bad archive: input doesn't look like a Nix archive",
  },
  {
    name: 'non-zero padding in the magic',
    nar: narTokens({ str: M, pad: [0, 1, 0] }, ...REG),
    nix: "error: bad archive: input doesn't look like a Nix archive",
    strata: "bad archive: input doesn't look like a Nix archive",
  },
  {
    name: 'node not starting with (',
    nar: narTokens(M, 'type', 'regular'),
    nix: 'error: bad archive: expected open tag',
    strata: 'bad archive: expected open tag',
  },
  {
    name: 'unknown type',
    nar: narTokens(M, '(', 'type', 'fifo', ')'),
    nix: 'error: bad archive: unknown file type fifo',
    strata: 'bad archive: unknown file type fifo',
  },
  {
    name: 'two type fields',
    nar: narTokens(M, '(', 'type', 'regular', 'type', 'regular', 'contents', '', ')'),
    nix: 'error: bad archive: multiple type fields',
    strata: 'bad archive: multiple type fields',
  },
  {
    name: 'contents before type',
    nar: narTokens(M, '(', 'contents', '', 'type', 'regular', ')'),
    nix: 'error: bad archive: unknown field contents',
    strata: 'bad archive: unknown field contents',
  },
  {
    name: 'field not valid for the type',
    nar: narTokens(M, '(', 'type', 'symlink', 'contents', '', ')'),
    nix: 'error: bad archive: unknown field contents',
    strata: 'bad archive: unknown field contents',
  },
  {
    name: 'executable with a value',
    nar: narTokens(M, '(', 'type', 'regular', 'executable', '1', 'contents', '', ')'),
    nix: 'error: bad archive: executable marker has non-empty value',
    strata: 'bad archive: executable marker has non-empty value',
  },
  ...['', '.', '..', 'a/b', 'a\0b'].map(
    (n): Case => ({
      name: `invalid name ${JSON.stringify(n)}`,
      nar: narTokens(M, ...dirOf(entry(n))),
      nix: `error: NAR contains invalid file name '${n}'`,
      strata: `NAR contains invalid file name '${n}'`,
    }),
  ),
  {
    name: 'non-zero padding',
    nar: narTokens(
      M,
      '(',
      'type',
      'regular',
      'contents',
      { str: 'x', pad: [0, 0, 0, 0, 0, 0, 2] },
      ')',
    ),
    nix: 'error: non-zero padding',
    strata: 'non-zero padding',
  },
  {
    name: 'premature end of input',
    nar: narTokens(M, '(', 'type', 'regular', 'contents', { u64: 10 }, { raw: [1, 2, 3] }),
    nix: 'error: unexpected end-of-file',
    strata: 'unexpected end-of-file',
  },
  {
    name: 'empty input',
    nar: new Uint8Array(0),
    nix: 'error: unexpected end-of-file',
    strata: 'unexpected end-of-file',
  },
  {
    name: 'entry node before name',
    nar: narTokens(M, '(', 'type', 'directory', 'entry', '(', 'node', ...REG, ')', ')'),
    nix: 'error: bad archive: entry name missing',
    strata: 'bad archive: entry name missing',
  },
  {
    name: 'unsorted entries (2.8 accepts: its check is ineffective)',
    nar: narTokens(M, ...dirOf(entry('b'), entry('a'))),
    nix: null,
    strata: 'NAR directory is not sorted',
    after: (out) => assert.ok(existsSync(join(out, 'a')) && existsSync(join(out, 'b'))),
  },
  {
    name: 'duplicate entries (2.8 fails only creating the second)',
    nar: narTokens(M, ...dirOf(entry('a'), entry('a'))),
    nix: "error: creating file '<out>/a': File exists",
    strata: 'NAR directory is not sorted',
  },
  {
    name: 'executable after contents (2.8 accepts)',
    nar: narTokens(M, '(', 'type', 'regular', 'contents', 'x', 'executable', '', ')'),
    nix: null,
    strata: "bad archive: expected tag ')', got 'executable'",
    after: (out) => assert.ok(lstatSync(out).mode & 0o100),
  },
  {
    name: 'regular without contents (2.8 accepts)',
    nar: narTokens(M, '(', 'type', 'regular', ')'),
    nix: null,
    strata: "bad archive: expected tag 'contents', got ')'",
    after: (out) => assert.is(lstatSync(out).size, 0),
  },
  {
    name: 'two names in one entry (2.8 accepts, uses the second)',
    nar: narTokens(
      M,
      '(',
      'type',
      'directory',
      'entry',
      '(',
      'name',
      'a',
      'name',
      'b',
      'node',
      ...REG,
      ')',
      ')',
    ),
    nix: null,
    strata: "bad archive: expected tag 'node', got 'name'",
    after: (out) => assert.ok(existsSync(join(out, 'b')) && !existsSync(join(out, 'a'))),
  },
  {
    name: 'node without type (2.8 accepts and creates nothing)',
    nar: narTokens(M, '(', ')'),
    nix: null,
    strata: "bad archive: expected tag 'type', got ')'",
    after: (out) => assert.not.ok(existsSync(out)),
  },
  {
    name: 'empty symlink target (2.8 fails creating it)',
    nar: narTokens(M, '(', 'type', 'symlink', 'target', '', ')'),
    nix: "error: creating symlink from '<out>' to '': No such file or directory",
    strata: 'bad archive: NAR contains invalid symlink target',
  },
  {
    name: 'NUL in symlink target (2.8 creates a truncated link)',
    nar: narTokens(M, '(', 'type', 'symlink', 'target', 'ab\0cd', ')'),
    nix: null,
    strata: 'bad archive: NAR contains invalid symlink target',
    after: (out) => assert.is(readlinkSync(out), 'ab'),
  },
  {
    name: 'tag longer than 32 bytes (2.8: unknown field)',
    nar: narTokens(M, '(', 'type', 'regular', 'c'.repeat(40), '', ')'),
    nix: `error: bad archive: unknown field ${'c'.repeat(40)}`,
    strata: 'string is too long',
  },
  {
    name: 'name longer than 255 bytes (2.8 fails creating it)',
    nar: narTokens(M, ...dirOf(entry('n'.repeat(256)))),
    nix: `error: creating file '<out>/${'n'.repeat(256)}': File name too long`,
    strata: 'string is too long',
  },
  {
    name: 'nesting deeper than 64 (2.8 accepts)',
    nar: (() => {
      let node: NarToken[] = dirOf();
      for (let i = 0; i < 64; i++) node = dirOf(entry('d', node));
      return narTokens(M, ...node);
    })(),
    nix: null,
    strata: 'NAR directory nesting exceeds maximum depth of 64',
    after: (out) => assert.ok(existsSync(join(out, ...Array(64).fill('d')))),
  },
  {
    name: 'trailing data (not read by 2.8)',
    nar: narTokens(M, ...REG, 'garbage'),
    nix: null,
    strata: 'bad archive: trailing data after the end of the archive',
  },
];

for (const c of CASES) {
  nixTest(c.name, async () => {
    await withTempDir(async (dir) => {
      const got = nixRestore(c.nar, dir);
      const out = join(dir, 'out');
      if (c.nix === null) {
        assert.is(got.status, 0, `nix-store --restore failed: ${got.error}`);
        c.after?.(out);
      } else {
        assert.is(got.status, 1);
        assert.is(got.error, c.nix.replace('<out>', out));
      }
    });
    assert.is(await strataMessage(c.nar), c.strata);
  });
}

test.run();
