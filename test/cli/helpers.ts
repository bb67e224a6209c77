/**
 * Helpers for the end-to-end CLI tests: run the built `strata` binary as a real child process
 * (so exit codes, stdout bytes and stderr are what a user sees), generate random file trees,
 * and snapshot directories to prove a failing command created nothing.
 *
 * @example
 *   const r = strata(['hash', 'path', '--base16', dir]);
 *   assert.is(r.status, 0);
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';

export const BIN = new URL('../../packages/cli/bin/strata.js', import.meta.url).pathname;

/** What one run of `strata` produced. */
export interface RunResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `strata ARGS…` in a child process, with `input` on stdin (empty when not given). */
export function strata(args: string[], options: { input?: Uint8Array; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? new Uint8Array(0),
    cwd: options.cwd,
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') } as RunResult;
}

/** Runs `strata ARGS…`, asserts it succeeded with nothing on stderr, and returns stdout. */
export function strataOk(args: string[], options: { input?: Uint8Array; cwd?: string } = {}) {
  const r = strata(args, options);
  assert.is(r.stderr, '', `stderr of strata ${args.join(' ')}`);
  assert.is(r.status, 0, `exit code of strata ${args.join(' ')}`);
  return r.stdout;
}

/** Like `strataOk`, as trimmed UTF-8 text. */
export function strataText(args: string[], options: { input?: Uint8Array; cwd?: string } = {}) {
  return strataOk(args, options).toString('utf8').trim();
}

/**
 * Asserts that `r` failed like Nix fails: exit code 1 and exactly one `error: …` line on
 * stderr, equal to `expected` (a string) or matching it (a RegExp). Usage errors may add
 * commander's `Try 'strata --help'` line, as Nix adds `Try 'nix --help'`.
 */
export function assertFails(r: RunResult, expected: string | RegExp, what: string): void {
  assert.is(r.status, 1, `exit code (${what}); stderr: ${r.stderr}`);
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  const errors = lines.filter((l) => l.startsWith('error: '));
  assert.is(errors.length, 1, `one error line (${what}): ${r.stderr}`);
  const rest = lines.filter((l) => !l.startsWith('error: '));
  assert.ok(
    rest.every((l) => l === "Try 'strata --help' for more information."),
    `nothing but the error on stderr (${what}): ${r.stderr}`,
  );
  if (typeof expected === 'string') assert.is(errors[0], `error: ${expected}`, what);
  else assert.match(errors[0]!, expected, what);
}

/** `error: MESSAGE` of a Nix stderr (the first such line), without the prefix. */
export function nixError(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('error: '));
  assert.ok(line, `nix printed an error: ${stderr}`);
  return line.slice('error: '.length);
}

/** Every entry under `dir` with its type, size and link target: equal snapshots, equal trees. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const r = `${rel}/${name}`;
      if (st.isDirectory()) {
        out.push(`${r}/`);
        walk(p, r);
      } else if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(p)}`);
      else out.push(`${r} ${st.size} ${st.mode.toString(8)}`);
    }
  };
  walk(dir, '');
  return out;
}

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._?=';
const EXOTIC = ['é', 'ß', '日本', 'ø', ' ', '€', '🙂', 'Ω', '~', '#', "'", '"', '\\', '\n'];

/** A random file name (never `.`/`..`), with non-ASCII characters when `exotic`. */
export function randomFileName(exotic = true): string {
  for (;;) {
    let s = '';
    const n = randomInt(1, 16);
    for (let i = 0; i < n; i++) {
      s +=
        exotic && randomInt(4) === 0
          ? EXOTIC[randomInt(EXOTIC.length)]
          : ASCII[randomInt(ASCII.length)];
    }
    if (s !== '.' && s !== '..') return s;
  }
}

/** A random name valid in a store path (ASCII, not starting with a dot). */
export function randomStoreName(): string {
  for (;;) {
    const s = randomFileName(false);
    if (!s.startsWith('.')) return s;
  }
}

/** What `randomTree` made: every regular file (relative path → contents) and every symlink. */
export interface TreeInfo {
  files: Map<string, Buffer>;
  symlinks: string[];
  dirs: string[];
}

/**
 * Creates a random tree at `root` (which must not exist): regular files (some empty, some
 * executable), symlinks (some dangling, some with non-ASCII targets), empty and nested
 * directories, names with non-ASCII characters. Returns what it made, relative to `root`.
 */
export function randomTree(root: string, depth = 2): TreeInfo {
  const info: TreeInfo = { files: new Map(), symlinks: [], dirs: [] };
  const fill = (dir: string, rel: string, level: number) => {
    mkdirSync(dir);
    const used = new Set<string>();
    const n = level === 0 ? randomInt(6, 10) : randomInt(0, 6);
    for (let i = 0; i < n; i++) {
      const name = randomFileName();
      if (used.has(name)) continue;
      used.add(name);
      const p = join(dir, name);
      const r = `${rel}/${name}`;
      const kind = randomInt(level < depth ? 5 : 3);
      if (kind === 0) {
        const data = randomInt(4) === 0 ? Buffer.alloc(0) : randomBytes(randomInt(1, 3000));
        writeFileSync(p, data);
        if (randomInt(2) === 0) chmodSync(p, 0o755);
        info.files.set(r, data);
      } else if (kind === 1) {
        writeFileSync(p, Buffer.from(`text ${name}\n`));
        info.files.set(r, Buffer.from(`text ${name}\n`));
      } else if (kind === 2) {
        symlinkSync(randomInt(2) === 0 ? `../${randomFileName()}/x` : randomFileName(), p);
        info.symlinks.push(r);
      } else {
        info.dirs.push(r);
        fill(p, r, level + 1);
      }
    }
  };
  fill(root, '', 0);
  // Always at least one of each kind the tests need, at fixed places.
  writeFileSync(join(root, 'empty'), '');
  info.files.set('/empty', Buffer.alloc(0));
  writeFileSync(join(root, 'exé'), '#!/bin/sh\necho ok\n');
  chmodSync(join(root, 'exé'), 0o755);
  info.files.set('/exé', Buffer.from('#!/bin/sh\necho ok\n'));
  mkdirSync(join(root, 'empty-dir'));
  info.dirs.push('/empty-dir');
  mkdirSync(join(root, 'sub'));
  info.dirs.push('/sub');
  const data = randomBytes(100);
  writeFileSync(join(root, 'sub', '日本'), data);
  info.files.set('/sub/日本', data);
  symlinkSync('../exé', join(root, 'sub', 'link→'));
  info.symlinks.push('/sub/link→');
  return info;
}
