/**
 * Derivations (`.drv` files) as Nix 2.8 reads and writes them: the ATerm text
 * `Derive([outputs],[inputDrvs],[inputSrcs],"platform","builder",[args],[env])`.
 *
 * Parsing follows Nix's reader quirk for quirk, so a file Nix accepts parses to the same
 * derivation: outputs keep the first of duplicate names, input derivations and environment
 * variables the last; input sources and output sets are sorted sets; text after the final `)`
 * is ignored. `unparseDerivation` prints Nix's canonical text (sorted maps, `printString`
 * escapes), which is what `hashDerivationModulo` hashes.
 *
 * @example
 *   const drv = parseDerivation(text, 'hello', dir);
 *   drv.outputs.get('out'); // { kind: 'input-addressed', path: '/nix/store/…-hello' }
 */
import { strataError } from '../errors.js';
import type { HashAlgorithm } from '../hash/algorithm.js';
import { parseHashAlgorithm } from '../hash/algorithm.js';
import type { Hash } from '../hash/hash.js';
import { parseHashUnprefixed } from '../hash/parse.js';
import { compareBytewise } from '../path-info/path-info.js';
import { type FileIngestionMethod, makeFixedOutputPath } from '../store-path/make.js';
import type { StoreDir } from '../store-path/store-dir.js';

/** One output, by how its path is determined (Nix's `DerivationOutput` variants). */
export type DerivationOutput =
  /** A path fixed by the derivation's hash (`hashDerivationModulo`). */
  | { readonly kind: 'input-addressed'; readonly path: string }
  /** A fixed-output derivation's output: the path follows from the expected hash. */
  | { readonly kind: 'fixed'; readonly method: FileIngestionMethod; readonly hash: Hash }
  /** A floating content-addressed output (`ca-derivations`): no path until built. */
  | {
      readonly kind: 'floating';
      readonly method: FileIngestionMethod;
      readonly algorithm: HashAlgorithm;
    }
  /** An input-addressed output whose path is not known yet (depends on floating outputs). */
  | { readonly kind: 'deferred' };

/** A parsed derivation. Maps iterate in Nix's order (byte-wise sorted keys). */
export interface Derivation {
  /** The name: the `.drv` file's name without `.drv`. */
  readonly name: string;
  readonly outputs: ReadonlyMap<string, DerivationOutput>;
  /** Input derivation path → the names of the outputs used. */
  readonly inputDrvs: ReadonlyMap<string, readonly string[]>;
  readonly inputSrcs: readonly string[];
  readonly platform: string;
  readonly builder: string;
  readonly args: readonly string[];
  readonly env: ReadonlyMap<string, string>;
}

/** What parsing needs beyond the text. */
export interface ParseDerivationOptions {
  /**
   * Called for each floating (content-addressed) output: throws Nix's error unless
   * `ca-derivations` is enabled. Without it such outputs are accepted.
   */
  readonly requireCaDerivations?: () => void;
}

/** The name a derivation output's store path gets: the derivation's, plus `-<output>`. */
export function outputPathName(drvName: string, outputName: string): string {
  return outputName === 'out' ? drvName : `${drvName}-${outputName}`;
}

/** The path of fixed output `outputName` of `drv` (from its expected hash). */
export function fixedOutputPath(drv: Derivation, outputName: string, dir: StoreDir): string {
  const o = drv.outputs.get(outputName);
  if (o?.kind !== 'fixed') throw new Error(`output '${outputName}' is not a fixed output`);
  const name = outputPathName(drv.name, outputName);
  return dir.print(makeFixedOutputPath(name, { method: o.method, hash: o.hash }, [], false, dir));
}

/** A malformed `.drv` text; `parseDerivation` callers add the path (Nix's `FormatError`). */
class FormatError extends Error {}

/** Nix's `istream` reading of a derivation: a cursor over the text. */
class Reader {
  #pos = 0;
  constructor(readonly text: string) {}

  expect(s: string): void {
    if (!this.text.startsWith(s, this.#pos)) throw new FormatError(`expected string '${s}'`);
    this.#pos += s.length;
  }

  /** Nix's `endOfList`: `,` → false and consumed, `]` → true and consumed, else false. */
  endOfList(): boolean {
    const c = this.text[this.#pos];
    if (c === ',') {
      this.#pos++;
      return false;
    }
    if (c === ']') {
      this.#pos++;
      return true;
    }
    return false;
  }

  string(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const c = this.text[this.#pos++];
      // Nix reads on past the end forever; a truncated file fails here instead.
      if (c === undefined) throw new FormatError(`expected string '"'`);
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.#pos++];
      if (e === undefined) throw new FormatError(`expected string '"'`);
      out += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
    }
  }

  /** A string that must look like an absolute path (`bad path '…' in derivation`). */
  path(): string {
    const s = this.string();
    if (!s.startsWith('/')) throw new FormatError(`bad path '${s}' in derivation`);
    return s;
  }

  /** A list of strings as a sorted set (Nix's `parseStrings`). */
  strings(arePaths: boolean): string[] {
    const set = new Set<string>();
    while (!this.endOfList()) set.add(arePaths ? this.path() : this.string());
    return [...set].sort(compareBytewise);
  }
}

function parseOutput(r: Reader, dir: StoreDir, options: ParseDerivationOptions): DerivationOutput {
  r.expect(',');
  const path = r.string();
  r.expect(',');
  let algo = r.string();
  r.expect(',');
  const hash = r.string();
  r.expect(')');
  if (algo !== '') {
    let method: FileIngestionMethod = 'flat';
    if (algo.startsWith('r:')) {
      method = 'recursive';
      algo = algo.slice(2);
    }
    const algorithm = parseHashAlgorithm(algo);
    if (hash !== '') {
      if (!path.startsWith('/')) throw new FormatError(`bad path '${path}' in derivation`);
      return { kind: 'fixed', method, hash: parseHashUnprefixed(hash, algorithm) };
    }
    options.requireCaDerivations?.();
    return { kind: 'floating', method, algorithm };
  }
  if (path === '') return { kind: 'deferred' };
  if (!path.startsWith('/')) throw new FormatError(`bad path '${path}' in derivation`);
  return { kind: 'input-addressed', path: dir.print(dir.parsePath(path)) };
}

/**
 * Parses the text of the derivation `drvPath` (a store path ending in `.drv`). A malformed
 * text fails as Nix 2.8 words it, `error parsing derivation '<p>': error: expected string
 * '<s>'` (or `bad path '<s>' in derivation`); store paths that are not in the store, a bad
 * hash or algorithm, and a floating output without `ca-derivations` fail with their own
 * errors, as in Nix.
 */
export function parseDerivation(
  text: string,
  drvPath: string,
  dir: StoreDir,
  options: ParseDerivationOptions = {},
): Derivation {
  try {
    return parseText(text, derivationName(drvPath), dir, options);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    throw strataError('STRATA_ERR_DRV_PARSE', { path: drvPath, reason: e.message });
  }
}

/** The name of the derivation at `drvPath`: its store path name without `.drv`. */
export function derivationName(drvPath: string): string {
  const base = drvPath.slice(drvPath.lastIndexOf('/') + 1);
  return base.slice(33, base.endsWith('.drv') ? -4 : undefined);
}

function parseText(
  text: string,
  name: string,
  dir: StoreDir,
  options: ParseDerivationOptions,
): Derivation {
  const r = new Reader(text);
  r.expect('Derive([');
  const outputs = new Map<string, DerivationOutput>();
  while (!r.endOfList()) {
    r.expect('(');
    const id = r.string();
    const output = parseOutput(r, dir, options);
    if (!outputs.has(id)) outputs.set(id, output);
  }
  r.expect(',[');
  const inputDrvs = new Map<string, string[]>();
  while (!r.endOfList()) {
    r.expect('(');
    const path = dir.print(dir.parsePath(r.path()));
    r.expect(',[');
    inputDrvs.set(path, r.strings(false));
    r.expect(')');
  }
  r.expect(',[');
  const inputSrcs = r.strings(true).map((p) => dir.print(dir.parsePath(p)));
  r.expect(',');
  const platform = r.string();
  r.expect(',');
  const builder = r.string();
  r.expect(',[');
  const args: string[] = [];
  while (!r.endOfList()) args.push(r.string());
  r.expect(',[');
  const env = new Map<string, string>();
  while (!r.endOfList()) {
    r.expect('(');
    const key = r.string();
    r.expect(',');
    const value = r.string();
    r.expect(')');
    env.set(key, value);
  }
  r.expect(')');
  return {
    name,
    outputs: sortedMap(outputs),
    inputDrvs: sortedMap(inputDrvs),
    inputSrcs: [...new Set(inputSrcs)].sort(compareBytewise),
    platform,
    builder,
    args,
    env: sortedMap(env),
  };
}

function sortedMap<V>(m: Map<string, V>): Map<string, V> {
  return new Map([...m].sort(([a], [b]) => compareBytewise(a, b)));
}

/** Nix's `printString`: quoted, with `"`, `\`, newline, CR and tab escaped. */
function quoted(s: string): string {
  return `"${s.replace(/["\\\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

/** Nix's `printUnquotedString`: quoted as it is (store paths, names, hashes). */
function plain(s: string): string {
  return `"${s}"`;
}

/** How `unparseDerivation` prints the parts `hashDerivationModulo` replaces. */
export interface UnparseOptions {
  /** Output paths, and environment variables named like outputs, printed as `""`. */
  readonly maskOutputs?: boolean;
  /** Printed instead of the input derivations: base-16 hash → output names, in key order. */
  readonly actualInputs?: ReadonlyMap<string, readonly string[]>;
}

/** The canonical ATerm text of `drv` (Nix's `Derivation::unparse`). */
export function unparseDerivation(
  drv: Derivation,
  dir: StoreDir,
  options: UnparseOptions = {},
): string {
  const mask = options.maskOutputs === true;
  const outputs = [...drv.outputs].map(([id, o]) => {
    let fields: [string, string, string];
    switch (o.kind) {
      case 'input-addressed':
        fields = [mask ? '' : o.path, '', ''];
        break;
      case 'fixed':
        fields = [
          mask ? '' : fixedOutputPath(drv, id, dir),
          `${o.method === 'recursive' ? 'r:' : ''}${o.hash.algorithm}`,
          o.hash.toBase16(),
        ];
        break;
      case 'floating':
        fields = ['', `${o.method === 'recursive' ? 'r:' : ''}${o.algorithm}`, ''];
        break;
      case 'deferred':
        fields = ['', '', ''];
        break;
    }
    return `(${plain(id)},${fields.map(plain).join(',')})`;
  });
  const inputs = [...(options.actualInputs ?? drv.inputDrvs)].map(
    ([key, names]) => `(${plain(key)},[${names.map(plain).join(',')}])`,
  );
  const env = [...drv.env].map(
    ([k, v]) => `(${quoted(k)},${quoted(mask && drv.outputs.has(k) ? '' : v)})`,
  );
  return (
    `Derive([${outputs.join(',')}],[${inputs.join(',')}],` +
    `[${drv.inputSrcs.map(plain).join(',')}],${plain(drv.platform)},${quoted(drv.builder)},` +
    `[${drv.args.map(quoted).join(',')}],[${env.join(',')}])`
  );
}
