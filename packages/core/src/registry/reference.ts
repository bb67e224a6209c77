/**
 * Store references — the textual names of stores (`--store`, `lower-store=`, `substituters`) —
 * parsed into Nix's data model and rendered back canonically (spec/config-and-urls.md §1).
 * Parsing looks at syntax only; which schemes exist is the registry's business.
 *
 * @example
 *   const ref = parseStoreReference('daemon?trusted=1&max-connections=7');
 *   ref.variant  // { kind: 'specified', scheme: 'unix', authority: '' }
 *   renderStoreReference(ref)  // 'unix://?max-connections=7&trusted=1'
 *   renderStoreReference(parseStoreReference('/srv/r?x=a b'))  // 'local:///srv/r?x=a%20b'
 */
import { isIPv6 } from 'node:net';
import { strataError } from '../errors.js';
import { absolutePath } from '../settings/paths.js';
import { percentEncode } from './percent.js';
import { decodeQuery, type Warn } from './query.js';
import { parseUrlLenient, renderAuthorityAndPath } from './url-syntax.js';

/** Which kind of store a reference names, before any plugin is consulted. */
export type StoreReferenceVariant =
  /** `""` or `auto`: chosen at open time (local store or daemon). */
  | { readonly kind: 'auto' }
  /** The bare word `local` (the `local` scheme, kept apart so it renders as `local`). */
  | { readonly kind: 'local' }
  /** The bare word `daemon` (the `unix` scheme, kept apart so it renders as `daemon`). */
  | { readonly kind: 'daemon' }
  /** Everything else: a scheme and the encoded authority-and-path after `scheme://`. */
  | { readonly kind: 'specified'; readonly scheme: string; readonly authority: string };

/** A parsed store reference: a variant and its decoded query parameters, sorted by key. */
export interface StoreReference {
  readonly variant: StoreReferenceVariant;
  readonly params: ReadonlyMap<string, string>;
}

/** Options for {@link parseStoreReference}. */
export interface ParseReferenceOptions {
  /** Parameters that win over the reference's own query (Nix's `extraParams`). */
  readonly extraParams?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Directory that relative path shorthands are resolved against (default: `process.cwd()`). */
  readonly cwd?: string;
  /** Receives warnings (query items without `=`). */
  readonly warn?: Warn;
}

function sortedParams(entries: Iterable<[string, string]>): Map<string, string> {
  return new Map([...entries].sort(([a], [b]) => compareBytes(a, b)));
}

/** Byte-wise (UTF-8) comparison, as Nix orders parameter keys. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The IPv6 back-compat shim of spec §1.2 for `ssh://::1`, `ssh://u@fe80::1%eth0` and friends. */
function ipv6Shim(base: string): StoreReferenceVariant | undefined {
  const colon = base.indexOf(':');
  const scheme = base.slice(0, colon);
  let rest = base.slice(colon + 1);
  if (rest.startsWith('//')) rest = rest.slice(2);
  const at = rest.indexOf('@');
  const user = at === -1 ? undefined : rest.slice(0, at);
  rest = rest.slice(at + 1);
  if (rest.startsWith('[') && rest.endsWith(']')) rest = rest.slice(1, -1);
  const pct = rest.indexOf('%');
  const addr = pct === -1 ? rest : rest.slice(0, pct);
  const zone = pct === -1 ? undefined : rest.slice(pct + 1);
  if (scheme === '' || !isIPv6(addr)) return undefined;
  const authority = `${user === undefined ? '' : `${user}@`}[${addr}${zone === undefined ? '' : `%25${zone}`}]`;
  return { kind: 'specified', scheme, authority };
}

/**
 * Parses a store reference (spec §1.2): a URL (`scheme://authority/path?query`), the
 * shorthands `auto`/`""`, `daemon`, `local` (with optional `?query`), an absolute or relative
 * path (anything with a `/` and no `://`), or an unbracketed IPv6 ssh host. Throws
 * `Cannot parse Nix store '<text>': <why>` or `invalid URI query …` on malformed input.
 */
export function parseStoreReference(
  text: string,
  options: ParseReferenceOptions = {},
): StoreReference {
  const warn = options.warn ?? (() => {});
  const params = new Map<string, string>(
    options.extraParams instanceof Map
      ? options.extraParams
      : Object.entries(options.extraParams ?? {}),
  );
  const addAll = (q: Map<string, string>): void => {
    for (const [k, v] of q) if (!params.has(k)) params.set(k, v);
  };
  const parsed = parseUrlLenient(text);
  if (parsed.ok) {
    const { url } = parsed;
    if (url.query !== undefined) addAll(decodeQuery(url.query, text, warn));
    return {
      variant: { kind: 'specified', scheme: url.scheme, authority: renderAuthorityAndPath(url) },
      params: sortedParams(params),
    };
  }
  const q = text.indexOf('?');
  const base = q === -1 ? text : text.slice(0, q);
  if (q !== -1) {
    const raw = text.slice(q + 1);
    const hash = raw.indexOf('#');
    addAll(decodeQuery(hash === -1 ? raw : raw.slice(0, hash), text, warn));
  }
  const ps = sortedParams(params);
  if (base === '' || base === 'auto') return { variant: { kind: 'auto' }, params: ps };
  if (base === 'daemon' || base === 'local') {
    if (ps.size === 0) return { variant: { kind: base }, params: ps };
    const scheme = base === 'daemon' ? 'unix' : 'local';
    return { variant: { kind: 'specified', scheme, authority: '' }, params: ps };
  }
  if (!base.includes('://') && base.includes('/')) {
    const p = absolutePath(base, options.cwd ?? process.cwd());
    const authority =
      p === '/'
        ? '/'
        : p
            .split('/')
            .map((s) => percentEncode(s, ':@'))
            .join('/');
    return { variant: { kind: 'specified', scheme: 'local', authority }, params: ps };
  }
  if (base.includes(':')) {
    const shim = ipv6Shim(base);
    if (shim) return { variant: shim, params: ps };
    throw strataError('STRATA_ERR_STORE_URL_UNPARSABLE', { url: text, reason: parsed.reason });
  }
  throw strataError('STRATA_ERR_STORE_URL_UNPARSABLE', {
    url: text,
    reason:
      'it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /)',
  });
}

/**
 * Renders a reference canonically (spec §1.4): `auto`, `daemon`, `local`, or
 * `scheme://authority`, then `?k=v&…` sorted by key with `: @ / ?` kept unescaped.
 */
export function renderStoreReference(ref: StoreReference, withParams = true): string {
  const v = ref.variant;
  const head = v.kind === 'specified' ? `${v.scheme}://${v.authority}` : v.kind;
  if (!withParams || ref.params.size === 0) return head;
  return `${head}?${renderQuery(ref.params)}`;
}

/** Renders parameters as a canonical query (sorted keys, each side encoded). */
export function renderQuery(params: ReadonlyMap<string, string>): string {
  return [...sortedParams(params)]
    .map(([k, v]) => `${percentEncode(k, ':@/?')}=${percentEncode(v, ':@/?')}`)
    .join('&');
}

/** The scheme a reference resolves through (`local` → `local`, `daemon` → `unix`); none for auto. */
export function referenceScheme(ref: StoreReference): string | undefined {
  const v = ref.variant;
  if (v.kind === 'specified') return v.scheme;
  if (v.kind === 'local') return 'local';
  if (v.kind === 'daemon') return 'unix';
  return undefined;
}

/** The authority-and-path of a reference (empty for the shorthands). */
export function referenceAuthority(ref: StoreReference): string {
  return ref.variant.kind === 'specified' ? ref.variant.authority : '';
}

const KIND_ORDER = { auto: 0, specified: 1, daemon: 2, local: 3 } as const;

/** Nix's total order on references: variant kind, then scheme, authority, then parameters. */
export function compareStoreReferences(a: StoreReference, b: StoreReference): number {
  const k = KIND_ORDER[a.variant.kind] - KIND_ORDER[b.variant.kind];
  if (k !== 0) return k;
  if (a.variant.kind === 'specified' && b.variant.kind === 'specified') {
    const s = compareBytes(a.variant.scheme, b.variant.scheme);
    if (s !== 0) return s;
    const au = compareBytes(a.variant.authority, b.variant.authority);
    if (au !== 0) return au;
  }
  const pa = [...a.params];
  const pb = [...b.params];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareBytes(pa[i]![0], pb[i]![0]) || compareBytes(pa[i]![1], pb[i]![1]);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** True when two references are the same reference (not merely the same store). */
export function storeReferencesEqual(a: StoreReference, b: StoreReference): boolean {
  return compareStoreReferences(a, b) === 0;
}

/** Builds a reference from parts (params are sorted). */
export function makeStoreReference(
  variant: StoreReferenceVariant,
  params: Iterable<[string, string]> | Readonly<Record<string, string>> = [],
): StoreReference {
  const entries =
    Symbol.iterator in Object(params)
      ? (params as Iterable<[string, string]>)
      : Object.entries(params as Record<string, string>);
  return { variant, params: sortedParams(entries) };
}
