/**
 * The `.drv` files of a local store, read from its real store directory: parsed as Nix parses
 * them, with `hashDerivationModulo` of each input derivation computed once (a `.drv` path
 * names its contents, so the answer never changes).
 *
 * @example
 *   const files = new DerivationFiles(realStoreDir, dir, requireCaDerivations);
 *   const drv = files.read('/nix/store/…-hello.drv');
 *   files.outputHashes(drv); // output name → hash (Nix's `staticOutputHashes`)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Derivation,
  type DrvHashModulo,
  hashDerivationModulo,
  parseDerivation,
} from '@strata/core/derivation';
import { strataError } from '@strata/core/errors';
import type { Hash } from '@strata/core/hash';
import type { StoreDir } from '@strata/core/store-path';

export class DerivationFiles {
  readonly #modulo = new Map<string, DrvHashModulo>();

  constructor(
    private readonly realStoreDir: string,
    private readonly dir: StoreDir,
    /** Throws unless `ca-derivations` is enabled; called for each floating output. */
    private readonly requireCaDerivations: () => void,
  ) {}

  /** The derivation at `drvPath`, read from disk (`opening file '…': …` when missing). */
  read(drvPath: string): Derivation {
    const file = join(this.realStoreDir, drvPath.slice(this.dir.path.length + 1));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'No such file or directory' : String(e);
      throw strataError('STRATA_ERR_IO_FAILED', { op: 'opening file', path: file, reason });
    }
    return parseDerivation(text, drvPath, this.dir, {
      requireCaDerivations: this.requireCaDerivations,
    });
  }

  /** `hashDerivationModulo` of an input derivation, unmasked (Nix's `pathDerivationModulo`). */
  readonly inputModulo = (drvPath: string): DrvHashModulo => {
    let h = this.#modulo.get(drvPath);
    if (h === undefined) {
      h = hashDerivationModulo(this.read(drvPath), this.dir, this.inputModulo, false);
      this.#modulo.set(drvPath, h);
    }
    return h;
  };

  /** `hashDerivationModulo(drv)` with its outputs masked: what its output paths follow from. */
  modulo(drv: Derivation): DrvHashModulo {
    return hashDerivationModulo(drv, this.dir, this.inputModulo, true);
  }

  /** Output name → hash, as realisations are keyed (Nix's `staticOutputHashes`). */
  outputHashes(drv: Derivation): ReadonlyMap<string, Hash> {
    return this.modulo(drv).hashes;
  }
}
