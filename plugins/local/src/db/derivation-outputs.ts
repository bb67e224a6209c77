/**
 * The outputs of a `.drv` file (Nix's ATerm `Derive([("out","/nix/store/…-x","",""),…],…)`):
 * only the first list is read, which is all the `DerivationOutputs` table needs. Output paths
 * are NOT checked against the derivation's hash (Nix 2.8's `checkDerivationOutputs`).
 *
 * @example
 *   parseDerivationOutputs('Derive([("out","/nix/store/94f9…-simple","","")],[],…)');
 *   // [{ name: 'out', path: '/nix/store/94f9…-simple' }]
 */
import { strataError } from '@strata/core/errors';

/** One output of a derivation; `path` is empty for a floating content-addressed output. */
export interface DerivationOutput {
  readonly name: string;
  readonly path: string;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

class AtermReader {
  #pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(): never {
    throw strataError('STRATA_ERR_LOCALDB_BAD_DERIVATION', { path: this.what, offset: this.#pos });
  }

  expect(s: string): void {
    if (!this.text.startsWith(s, this.#pos)) this.fail();
    this.#pos += s.length;
  }

  /** Consumes `s` when it comes next. */
  accept(s: string): boolean {
    if (!this.text.startsWith(s, this.#pos)) return false;
    this.#pos += s.length;
    return true;
  }

  string(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const c = this.text[this.#pos++];
      if (c === undefined) this.fail();
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.#pos++];
        if (e === undefined) this.fail();
        out += ESCAPES[e] ?? e;
      } else {
        out += c;
      }
    }
  }
}

/** The outputs listed in a derivation's ATerm text, in file order. */
export function parseDerivationOutputs(text: string, what = 'derivation'): DerivationOutput[] {
  const r = new AtermReader(text, what);
  r.expect('Derive([');
  const outputs: DerivationOutput[] = [];
  if (r.accept(']')) return outputs;
  do {
    r.expect('(');
    const name = r.string();
    r.expect(',');
    const path = r.string();
    r.expect(',');
    r.string();
    r.expect(',');
    r.string();
    r.expect(')');
    outputs.push({ name, path });
  } while (r.accept(','));
  r.expect(']');
  return outputs;
}
