/**
 * The nix.conf line grammar (spec/config-and-urls.md §4.2), as pure functions: text in, entries
 * out, no file system. Lines split at LF; a `#` anywhere starts a comment; tokens are runs of
 * anything but space, tab, CR and LF; `name = value…` sets, `include P` / `!include P` include.
 * There is no quoting and no line continuation.
 *
 * @example
 *   parseNixConf('cores = 4 # four\n!include extra.conf\n', '/etc/nix/nix.conf')
 *   // [ { kind: 'set', name: 'cores', value: '4', line: 1 },
 *   //   { kind: 'include', path: 'extra.conf', optional: true, line: 2 } ]
 */
import { strataError } from '@strata/core';

/** One meaningful line of a nix.conf source. */
export type NixConfEntry =
  /** `name = value`: the value is the tokens after `=` joined with single spaces. */
  | { readonly kind: 'set'; readonly name: string; readonly value: string; readonly line: number }
  /** `include path` (fatal when missing) or `!include path` (`optional`: silently skipped). */
  | {
      readonly kind: 'include';
      readonly path: string;
      readonly optional: boolean;
      readonly line: number;
    };

const TOKEN_SEPARATORS = /[ \t\r\n]+/;

/**
 * Parses the text of one nix.conf source. `source` names it in messages: the file's path, or
 * `NIX_CONFIG`. A line with one token, or whose second token is not exactly `=` (`cores=5`,
 * `cores =3`), is a syntax error, fatal as in Nix.
 */
export function parseNixConf(text: string, source: string): NixConfEntry[] {
  const entries: NixConfEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const line = hash === -1 ? lines[i]! : lines[i]!.slice(0, hash);
    const tokens = line.split(TOKEN_SEPARATORS).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    if (tokens.length < 2) throw syntaxError(line, source);
    const [first, second] = tokens as [string, string];
    if (first === 'include' || first === '!include') {
      // `include = x` has three tokens: Nix rejects it rather than reading a file named `=`.
      if (tokens.length !== 2) throw syntaxError(line, source);
      entries.push({ kind: 'include', path: second, optional: first === '!include', line: i + 1 });
      continue;
    }
    if (second !== '=') throw syntaxError(line, source);
    entries.push({ kind: 'set', name: first, value: tokens.slice(2).join(' '), line: i + 1 });
  }
  return entries;
}

function syntaxError(line: string, source: string) {
  return strataError('STRATA_ERR_CONFIG_SYNTAX', { line, file: source });
}
