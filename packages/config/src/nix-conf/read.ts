/**
 * Reads one nix.conf source — a file, or the text of `NIX_CONFIG` — and expands its `include`
 * and `!include` lines in place, giving the flat list of assignments in the order Nix applies
 * them, each with the file and line it came from (spec/config-and-urls.md §4.3, §4.5).
 *
 * Only reads: nothing is created or written. A relative include is resolved against the
 * directory of the file that contains it. A missing file after `include` is fatal, after
 * `!include` it is skipped; an existing but unreadable file (a directory, no permission) is
 * skipped either way, as Nix does. Unlike Nix 2.8, which overflows its stack, an include
 * cycle is a fatal error naming the files.
 *
 * @example
 *   readNixConfFile('/etc/nix/nix.conf')
 *   // [ { name: 'cores', value: '4', origin: { kind: 'nix.conf', file: '/etc/nix/nix.conf', line: 1 } }, … ]
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { canonicalisePath, type SettingOrigin, strataError } from '@strata/core';
import { type NixConfEntry, parseNixConf } from './syntax.js';

/** One `name = value` line, after includes were expanded. */
export interface NixConfAssignment {
  readonly name: string;
  readonly value: string;
  readonly origin: SettingOrigin;
}

/** The file operations reading needs; tests substitute them, production uses `node:fs`. */
export interface ConfFileSystem {
  /** True when something exists at `path` (a dangling symlink counts, as `lstat` sees it). */
  exists(path: string): boolean;
  /** The text of `path`, or undefined when it cannot be read (missing, a directory, EACCES). */
  read(path: string): string | undefined;
  /** A key identifying the file for cycle detection (its real path when it has one). */
  identity(path: string): string;
}

/** The real file system, read-only. */
export const nodeConfFileSystem: ConfFileSystem = {
  exists: (path) => lstatSync(path, { throwIfNoEntry: false }) !== undefined,
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  identity: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
};

/**
 * Reads a nix.conf file and everything it includes. A file that is missing or unreadable
 * yields no assignments (the system and user files are optional).
 */
export function readNixConfFile(
  file: string,
  fs: ConfFileSystem = nodeConfFileSystem,
): NixConfAssignment[] {
  const text = fs.read(file);
  if (text === undefined) return [];
  const out: NixConfAssignment[] = [];
  expand(parseNixConf(text, file), file, [fs.identity(file)], [file], fs, out);
  return out;
}

/**
 * Reads configuration text that is not a file, such as `NIX_CONFIG`: `source` names it in
 * messages and origins; only absolute includes work there, since it has no directory.
 */
export function readNixConfText(
  text: string,
  source: string,
  fs: ConfFileSystem = nodeConfFileSystem,
): NixConfAssignment[] {
  const out: NixConfAssignment[] = [];
  expand(parseNixConf(text, source), undefined, [], [source], fs, out, source);
  return out;
}

function expand(
  entries: readonly NixConfEntry[],
  file: string | undefined,
  stack: readonly string[],
  names: readonly string[],
  fs: ConfFileSystem,
  out: NixConfAssignment[],
  variable?: string,
): void {
  const source = file ?? variable!;
  for (const entry of entries) {
    if (entry.kind === 'set') {
      const origin: SettingOrigin =
        file === undefined
          ? { kind: 'env', variable: variable!, line: entry.line }
          : { kind: 'nix.conf', file, line: entry.line };
      out.push({ name: entry.name, value: entry.value, origin });
      continue;
    }
    const target = resolveInclude(entry.path, file, source);
    if (!fs.exists(target)) {
      if (entry.optional) continue;
      throw strataError(
        'STRATA_ERR_CONFIG_INCLUDE_MISSING',
        { file: target, from: source },
        { hint: `write '!include ${entry.path}' if the file is optional` },
      );
    }
    const id = fs.identity(target);
    if (stack.includes(id)) {
      const chain = [...names, target].map((n) => `"${n}"`).join(' -> ');
      throw strataError('STRATA_ERR_CONFIG_INCLUDE_CYCLE', { file: target, chain });
    }
    const text = fs.read(target);
    if (text === undefined) continue;
    expand(parseNixConf(text, target), target, [...stack, id], [...names, target], fs, out);
  }
}

/** `absPath(path, dirOf(file))` then lexical canonicalisation, as Nix resolves includes. */
function resolveInclude(path: string, file: string | undefined, source: string): string {
  if (path.startsWith('/')) return canonicalisePath(path)!;
  const joined =
    file === undefined ? undefined : canonicalisePath(posix.join(posix.dirname(file), path));
  if (joined === undefined) {
    throw strataError('STRATA_ERR_CONFIG_INCLUDE_NOT_ABSOLUTE', { file: path, from: source });
  }
  return joined;
}
