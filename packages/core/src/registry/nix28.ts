/**
 * References for other Nix processes (spec/config-and-urls.md §1.8): Nix 2.8 cannot parse
 * `local://…`, `unix://?…` or ports on bracketed IPv6 ssh hosts, so a reference leaving this
 * process (a `remote-store=` value, an argument of a spawned `nix-store`, a nix.conf Strata
 * writes, settings sent to a 2.8 daemon) is written in a form both 2.8 and master parse to
 * the same store.
 *
 * @example
 *   renderStoreReferenceForNix28(parseStoreReference('local:///srv/r?trusted=1'))  // '/srv/r?trusted=1'
 *   renderStoreReferenceForNix28(parseStoreReference('unix://?max-connections=2'))  // 'daemon?max-connections=2'
 */
import { strataError } from '../errors.js';
import { percentDecode } from './percent.js';
import { makeStoreReference, renderQuery, type StoreReference } from './reference.js';

/** Schemes Nix 2.8 registers (its S3 store is not in the Debian build). */
const NIX28_SCHEMES = new Set(['dummy', 'file', 'http', 'https', 'ssh', 'ssh-ng', 'unix']);

function withQuery(head: string, params: ReadonlyMap<string, string>): string {
  return params.size === 0 ? head : `${head}?${renderQuery(params)}`;
}

/** Renders `ref` so that Nix 2.8 opens the same store, or fails saying why it cannot. */
export function renderStoreReferenceForNix28(ref: StoreReference): string {
  const v = ref.variant;
  if (v.kind === 'auto') return withQuery('auto', ref.params);
  if (v.kind === 'local' || v.kind === 'daemon') return v.kind;
  const cannot = (reason: string): never => {
    throw strataError('STRATA_ERR_STORE_URL_UNPARSABLE', {
      url: withQuery(`${v.scheme}://${v.authority}`, ref.params),
      reason: `Nix 2.8 cannot open it: ${reason}`,
    });
  };
  if (v.scheme === 'local') {
    if (v.authority === '') return withQuery('local', ref.params);
    // As a path shorthand 2.8 would let the path override `root`; master lets `root` win.
    if (ref.params.has('root')) return withQuery('local', ref.params);
    const path = percentDecode(v.authority);
    if (/[?#]/.test(path)) cannot(`the path '${path}' contains '?' or '#'`);
    const query = makeStoreReference({ kind: 'auto' }, ref.params).params;
    return withQuery(path, query);
  }
  if (v.scheme === 'unix' && v.authority === '') return withQuery('daemon', ref.params);
  if (!NIX28_SCHEMES.has(v.scheme)) cannot(`Nix 2.8 has no '${v.scheme}' store`);
  if ((v.scheme === 'ssh' || v.scheme === 'ssh-ng') && /\]:\d+/.test(v.authority)) {
    cannot('Nix 2.8 cannot pass a port with a bracketed IPv6 host to ssh');
  }
  return withQuery(`${v.scheme}://${v.authority}`, ref.params);
}
