/**
 * Nested store references as trees, and back: `strata url parse` shows an overlay whose
 * `lower-store` holds another overlay's percent-encoded URL as a tree, and `strata url render`
 * builds the URL from such a tree (JSON or YAML), so nobody escapes three levels by hand.
 * Which parameters hold store references is read from the registered schemas (settings of type
 * store URL, by name or alias); for a scheme nobody registered, a value is taken as a nested
 * reference when it parses as a URL with `://`.
 *
 * @example
 *   referenceTree('local-overlay://?lower-store=local-overlay%3A%2F%2F%3Froot%3D%2Fa&root=/b', registry)
 *   // { reference: '…', variant: 'specified', scheme: 'local-overlay', authority: '',
 *   //   params: { 'lower-store': { …, params: { root: '/a' } }, root: '/b' } }
 *   renderReferenceTree({ scheme: 'local-overlay', params: { 'lower-store': { scheme: 'local',
 *     path: '/srv/base' }, root: '/b' } })
 *   // 'local-overlay://?lower-store=local%3A%2F%2F%2Fsrv%2Fbase&root=/b'
 */
import { strataError } from '../errors.js';
import { NAMED_STORE } from '../settings/parse.js';
import { percentEncode } from './percent.js';
import {
  makeStoreReference,
  type ParseReferenceOptions,
  parseStoreReference,
  referenceScheme,
  renderStoreReference,
  type StoreReference,
  type StoreReferenceVariant,
} from './reference.js';
import type { StoreRegistry } from './registry.js';

/** A reference with its nested references expanded. */
export interface ReferenceTree {
  /** The canonical rendering of this whole subtree (nested references canonical too). */
  readonly reference: string;
  readonly variant: StoreReferenceVariant['kind'];
  readonly scheme?: string;
  readonly authority?: string;
  /** The store implementation answering the scheme, when one is registered. */
  readonly store?: string;
  readonly params: Readonly<Record<string, string | ReferenceTree>>;
}

function nestedParams(
  ref: StoreReference,
  registry: StoreRegistry | undefined,
): (key: string, value: string) => boolean {
  const scheme = referenceScheme(ref);
  const impl = scheme === undefined ? undefined : registry?.findScheme(scheme)?.implementation;
  if (impl) {
    const names = new Set(
      impl.settings
        .filter((d) => d.type.kind === 'store-url')
        .flatMap((d) => [d.name, ...(d.aliases ?? [])]),
    );
    return (key, value) => names.has(key) && value !== '' && !NAMED_STORE.test(value);
  }
  // `auto` picks its scheme only when opened, so its parameters are not judged here.
  if (scheme === undefined) return () => false;
  return (_key, value) => {
    if (!value.includes('://')) return false;
    try {
      parseStoreReference(value);
      return true;
    } catch {
      return false;
    }
  };
}

/** Parses `text` and expands its nested references (at any depth). */
export function referenceTree(
  text: string,
  registry?: StoreRegistry,
  options: ParseReferenceOptions = {},
): ReferenceTree {
  const ref = parseStoreReference(text, options);
  const nested = nestedParams(ref, registry);
  const params: Record<string, string | ReferenceTree> = {};
  const flat: Array<[string, string]> = [];
  for (const [k, v] of ref.params) {
    const child = nested(k, v) ? referenceTree(v, registry, options) : v;
    params[k] = child;
    // Nested levels in their canonical form too, so the whole URL is canonical at every depth.
    flat.push([k, typeof child === 'string' ? child : child.reference]);
  }
  const v = ref.variant;
  const scheme = referenceScheme(ref);
  const store =
    scheme === undefined ? undefined : registry?.findScheme(scheme)?.implementation.name;
  return {
    reference: renderStoreReference(makeStoreReference(ref.variant, flat)),
    variant: v.kind,
    ...(v.kind === 'specified' ? { scheme: v.scheme, authority: v.authority } : {}),
    ...(store === undefined ? {} : { store }),
    params,
  };
}

/** The tree as indented text: each level's head, then its parameters, nested ones below. */
export function renderReferenceTreeText(tree: ReferenceTree): string {
  const lines: string[] = [];
  const head = (t: ReferenceTree) => {
    const ref = parseStoreReference(t.reference);
    return `${renderStoreReference(ref, false)}${t.store ? `  (${t.store})` : ''}`;
  };
  const walk = (t: ReferenceTree, indent: string) => {
    const entries = Object.entries(t.params);
    entries.forEach(([k, v], i) => {
      const last = i === entries.length - 1;
      const branch = last ? '└── ' : '├── ';
      if (typeof v === 'string') {
        lines.push(`${indent}${branch}${k} = ${v}`);
      } else {
        lines.push(`${indent}${branch}${k} = ${head(v)}`);
        walk(v, indent + (last ? '    ' : '│   '));
      }
    });
  };
  lines.push(head(tree));
  walk(tree, '');
  return `${lines.join('\n')}\n`;
}

function fail(at: string, reason: string): never {
  throw strataError('STRATA_ERR_STORE_TREE_INVALID', { at, reason });
}

function paramValue(value: unknown, at: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    return value
      .map((x, i) => {
        if (typeof x === 'object' && x !== null) return renderReferenceTree(x, `${at}[${i}]`);
        return paramValue(x, `${at}[${i}]`);
      })
      .join(' ');
  }
  if (typeof value === 'object') return renderReferenceTree(value, at);
  return fail(at, `unsupported value ${String(value)}`);
}

const WORDS = new Set(['auto', 'local', 'daemon']);

/**
 * Builds a canonical reference from a tree: a string (any reference), or an object with
 * `scheme` (plus `authority`, already encoded, or `path`, a plain absolute path) or `variant`
 * (`auto`, `local`, `daemon`), and `params` whose values are strings, numbers, booleans,
 * lists (joined by spaces) or nested trees. The output of {@link referenceTree} is accepted.
 */
export function renderReferenceTree(tree: unknown, at = '$'): string {
  if (typeof tree === 'string') return renderStoreReference(parseStoreReference(tree));
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    return fail(at, 'expected a store reference (a string) or an object with scheme and params');
  }
  const node = tree as Record<string, unknown>;
  for (const key of Object.keys(node)) {
    if (!['reference', 'variant', 'scheme', 'authority', 'path', 'params', 'store'].includes(key)) {
      fail(at, `unknown key '${key}' (expected scheme, authority or path, variant, params)`);
    }
  }
  const params = node.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    fail(`${at}.params`, 'expected an object of parameters');
  }
  const rendered: Array<[string, string]> = Object.entries(params as Record<string, unknown>).map(
    ([k, v]) => [k, paramValue(v, `${at}.params.${k}`)],
  );
  let variant: StoreReferenceVariant;
  const kind = node.variant;
  if (node.scheme === undefined && node.variant === undefined) {
    if (typeof node.reference !== 'string') fail(at, 'needs a scheme, a variant or a reference');
    const ref = parseStoreReference(node.reference as string);
    if (node.params === undefined) return renderStoreReference(ref);
    variant = ref.variant;
  } else if (
    node.scheme === undefined ||
    kind === 'auto' ||
    kind === 'local' ||
    kind === 'daemon'
  ) {
    if (typeof kind !== 'string' || !WORDS.has(kind)) {
      fail(
        at,
        `variant must be auto, local or daemon (or give a scheme), not ${JSON.stringify(kind)}`,
      );
    }
    variant = { kind: kind as 'auto' | 'local' | 'daemon' };
    if (rendered.length > 0 && kind !== 'auto') {
      variant = { kind: 'specified', scheme: kind === 'daemon' ? 'unix' : 'local', authority: '' };
    }
  } else {
    if (typeof node.scheme !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(node.scheme)) {
      fail(`${at}.scheme`, `invalid scheme ${JSON.stringify(node.scheme)}`);
    }
    if (node.authority !== undefined && node.path !== undefined) {
      fail(at, 'give either authority or path, not both');
    }
    let authority = '';
    if (typeof node.authority === 'string') authority = node.authority;
    else if (node.authority !== undefined) fail(`${at}.authority`, 'expected a string');
    if (node.path !== undefined) {
      if (typeof node.path !== 'string' || !node.path.startsWith('/')) {
        fail(`${at}.path`, 'expected an absolute path');
      }
      authority = (node.path as string)
        .split('/')
        .map((s) => percentEncode(s, ':@'))
        .join('/');
    }
    // Round-trip through the parser, so the authority is checked and canonical.
    const text = `${node.scheme as string}://${authority}`;
    const ref = parseStoreReference(text);
    if (ref.variant.kind !== 'specified' || ref.params.size > 0) {
      fail(`${at}.authority`, `'${authority}' is not an authority and path`);
    }
    variant = ref.variant;
  }
  return renderStoreReference(makeStoreReference(variant, rendered));
}
