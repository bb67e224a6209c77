/**
 * What a derivation's outputs must be (Nix 2.8's `hashDerivationModulo`,
 * `checkDerivationOutputs`): the paths of input-addressed outputs follow from the hash of
 * the derivation with its own output paths masked and each input derivation replaced by its
 * own hash; a fixed output's path follows from its expected hash.
 *
 * @example
 *   const modulo = hashDerivationModulo(drv, dir, (p) => moduloOf(p), true);
 *   checkDerivationOutputs(drvPath, drv, dir, () => modulo); // throws on a forged output path
 */
import { strataError } from '../errors.js';
import type { Hash } from '../hash/hash.js';
import { hashBytes } from '../hash/hasher.js';
import { compareBytewise } from '../path-info/path-info.js';
import { makeOutputPath } from '../store-path/make.js';
import type { StoreDir } from '../store-path/store-dir.js';
import { type Derivation, fixedOutputPath, unparseDerivation } from './derivation.js';

/** Nix's `DerivationType`: how the outputs of a derivation are addressed. */
export type DerivationType = 'input-addressed' | 'fixed' | 'floating' | 'deferred';

/**
 * The type of `drv`, refusing the combinations Nix refuses (with its messages): no outputs,
 * more than one fixed output or one not named `out`, mixed kinds, floating outputs with
 * different hash algorithms.
 */
export function derivationType(drv: Derivation): DerivationType {
  const byKind = new Map<DerivationType, string[]>();
  let floatingAlgorithm: string | undefined;
  for (const [name, o] of drv.outputs) {
    if (o.kind === 'floating') {
      floatingAlgorithm ??= o.algorithm;
      if (floatingAlgorithm !== o.algorithm) {
        throw strataError('STRATA_ERR_DRV_TYPE', {
          reason: 'all floating outputs must use the same hash type',
        });
      }
    }
    const names = byKind.get(o.kind) ?? [];
    names.push(name);
    byKind.set(o.kind, names);
  }
  if (byKind.size === 0) {
    throw strataError('STRATA_ERR_DRV_TYPE', { reason: 'must have at least one output' });
  }
  if (byKind.size > 1) {
    throw strataError('STRATA_ERR_DRV_TYPE', { reason: "can't mix derivation output types" });
  }
  const [[kind, names]] = byKind as Map<DerivationType, string[]>;
  if (kind === 'fixed' && names!.length > 1) {
    throw strataError('STRATA_ERR_DRV_TYPE', {
      reason: 'only one fixed output is allowed for now',
    });
  }
  if (kind === 'fixed' && names![0] !== 'out') {
    throw strataError('STRATA_ERR_DRV_TYPE', { reason: 'single fixed output must be named "out"' });
  }
  return kind!;
}

/** `hashDerivationModulo`'s answer: a hash per output, deferred when it depends on floating ones. */
export interface DrvHashModulo {
  readonly hashes: ReadonlyMap<string, Hash>;
  readonly deferred: boolean;
}

/**
 * Nix's `hashDerivationModulo(drv, maskOutputs)`. A fixed-output derivation hashes to
 * `sha256("fixed:out:<r:><algo>:<hex>:<path>")` per output, whatever its builder; any other
 * to the SHA-256 of its text with the input derivations replaced by their own hashes (asked
 * of `inputModulo`, unmasked, as Nix's `pathDerivationModulo` does) and, with `maskOutputs`,
 * its output paths blanked.
 */
export function hashDerivationModulo(
  drv: Derivation,
  dir: StoreDir,
  inputModulo: (drvPath: string) => DrvHashModulo,
  maskOutputs: boolean,
): DrvHashModulo {
  const type = derivationType(drv);
  if (type === 'fixed') {
    const hashes = new Map<string, Hash>();
    for (const [name, o] of drv.outputs) {
      if (o.kind !== 'fixed') continue;
      const algo = `${o.method === 'recursive' ? 'r:' : ''}${o.hash.algorithm}`;
      const path = fixedOutputPath(drv, name, dir);
      hashes.set(name, hashBytes('sha256', `fixed:out:${algo}:${o.hash.toBase16()}:${path}`));
    }
    return { hashes, deferred: false };
  }
  let deferred = type === 'floating';
  const inputs = new Map<string, Set<string>>();
  for (const [drvPath, outputNames] of drv.inputDrvs) {
    const input = inputModulo(drvPath);
    if (input.deferred) deferred = true;
    for (const outputName of outputNames) {
      const h = input.hashes.get(outputName);
      if (h === undefined) {
        throw strataError('STRATA_ERR_DRV_NO_SUCH_OUTPUT', { drv: drvPath, output: outputName });
      }
      const key = h.toBase16();
      const names = inputs.get(key) ?? new Set<string>();
      names.add(outputName);
      inputs.set(key, names);
    }
  }
  const actualInputs = new Map(
    [...inputs.keys()]
      .sort(compareBytewise)
      .map((k) => [k, [...inputs.get(k)!].sort(compareBytewise)] as const),
  );
  const text = unparseDerivation(drv, dir, { maskOutputs, actualInputs });
  const hash = hashBytes('sha256', text);
  return { hashes: new Map([...drv.outputs.keys()].map((name) => [name, hash])), deferred };
}

/**
 * Checks that `drv` (at `drvPath`) names the output paths its hashes imply, and sets each
 * output's environment variable to it, as Nix 2.8 does when it registers a `.drv`:
 * `derivation '<drv>' has incorrect output '<p>', should be '<q>'`, `… has incorrect
 * environment variable '<out>', should be '<q>'`. `modulo` is called at most once, for the
 * first input-addressed output (it may read input derivations).
 */
export function checkDerivationOutputs(
  drvPath: string,
  drv: Derivation,
  dir: StoreDir,
  modulo: () => DrvHashModulo,
): void {
  derivationType(drv);
  const envHas = (name: string, path: string) => {
    const value = drv.env.get(name);
    let matches = false;
    if (value !== undefined) matches = dir.print(dir.parsePath(value)) === path;
    if (!matches) {
      throw strataError('STRATA_ERR_DRV_BAD_ENV', { drv: drvPath, name, path });
    }
  };
  let hashes: DrvHashModulo | undefined;
  for (const [name, o] of drv.outputs) {
    if (o.kind === 'input-addressed') {
      hashes ??= modulo();
      const h = hashes.hashes.get(name);
      if (h === undefined) {
        throw strataError('STRATA_ERR_DRV_NO_SUCH_OUTPUT', { drv: drvPath, output: name });
      }
      const expected = dir.print(makeOutputPath(name, h, drv.name, dir));
      if (o.path !== expected) {
        throw strataError('STRATA_ERR_DRV_BAD_OUTPUT', { drv: drvPath, path: o.path, expected });
      }
      envHas(name, o.path);
    } else if (o.kind === 'fixed') {
      envHas(name, fixedOutputPath(drv, name, dir));
    }
  }
}

/**
 * The output paths `drv` determines, as Nix records them in `DerivationOutputs`: input-addressed
 * outputs as written, fixed outputs computed from their hash; floating and deferred outputs
 * have none yet.
 */
export function derivationOutputPaths(drv: Derivation, dir: StoreDir): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, o] of drv.outputs) {
    if (o.kind === 'input-addressed') out.set(name, o.path);
    else if (o.kind === 'fixed') out.set(name, fixedOutputPath(drv, name, dir));
  }
  return out;
}
