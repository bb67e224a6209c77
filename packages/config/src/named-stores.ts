/**
 * Named stores from the Strata config file, turned into store URLs. A definition is a URL
 * string, `@other`, or an object whose `url` or `scheme` gives the base and whose other keys
 * are settings; a setting that names a store (`lower-store`) may itself be `@other`, a URL or a
 * nested object. The result is one URL in which every nested store URL is percent-encoded as
 * a query value — the form that is painful to write by hand — rendered canonically by core's
 * store-reference renderer, so the registry parses it back to the same tree.
 *
 * @example
 *   resolveNamedStoreUrl('team', new Map([
 *     ['base', { name: 'base', definition: '/srv/base', origin }],
 *     ['team', { name: 'team', origin, definition: {
 *       scheme: 'local-overlay', root: '/srv/team', 'upper-layer': '/srv/team/upper', 'lower-store': '@base' } }],
 *   ]))
 *   // 'local-overlay://?lower-store=%2Fsrv%2Fbase&root=/srv/team&upper-layer=/srv/team/upper'
 */
import { dirname, resolve } from 'node:path';
import {
  describeOrigin,
  makeStoreReference,
  parseStoreReference,
  renderStoreReference,
  type StoreReference,
  type StoreReferenceVariant,
  strataError,
} from '@strata/core';
import { type NamedStore, type NamedStoreDefinition, settingText } from './strata-file/contents.js';

/** Options for resolving. */
export interface ResolveNamedStoreOptions {
  /**
   * Directory for relative paths in definitions that come from no file (default:
   * `process.cwd()`); those from a config file start from the file's directory.
   */
  readonly cwd?: string;
}

function unknownName(name: string, stores: ReadonlyMap<string, NamedStore>) {
  const known = [...stores.keys()].sort();
  return strataError('STRATA_ERR_STORE_UNKNOWN_NAME', {
    name,
    known: known.length ? known.map((n) => `@${n}`).join(', ') : 'none',
  });
}

function isStoreObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && ('url' in v || 'scheme' in v);
}

/** Resolves `@name` to the store reference of the named store (nested stores rendered in). */
export function resolveNamedStoreReference(
  name: string,
  stores: ReadonlyMap<string, NamedStore>,
  options: ResolveNamedStoreOptions = {},
): StoreReference {
  return referenceOf(`@${name}`, stores, options, [], { path: `@${name}` });
}

/** Resolves `@name` to one canonical store URL. */
export function resolveNamedStoreUrl(
  name: string,
  stores: ReadonlyMap<string, NamedStore>,
  options: ResolveNamedStoreOptions = {},
): string {
  return renderStoreReference(resolveNamedStoreReference(name, stores, options));
}

/**
 * Turns any store definition (a URL, `@name`, or an object) into a store reference, resolving
 * names against `stores`. `stack` holds the names being resolved, to report cycles.
 */
export function storeDefinitionReference(
  def: NamedStoreDefinition,
  stores: ReadonlyMap<string, NamedStore>,
  options: ResolveNamedStoreOptions = {},
): StoreReference {
  return referenceOf(def, stores, options, [], { path: 'store' });
}

/** Where in the configuration a definition is, for messages. */
interface Place {
  readonly file?: string;
  readonly path: string;
}

function misplaced(at: Place, reason: string) {
  if (at.file === undefined)
    return strataError('STRATA_ERR_CONFIG_FILE_INVALID', { file: at.path, reason });
  return strataError('STRATA_ERR_CONFIG_FILE_INVALID', {
    file: at.file,
    reason: `${at.path}: ${reason}`,
  });
}

/**
 * The directory relative paths in a definition start from: the config file's own directory
 * (the same store whichever directory a command runs in), else the caller's.
 */
function baseDir(at: Place, options: ResolveNamedStoreOptions): string | undefined {
  return at.file !== undefined ? dirname(at.file) : options.cwd;
}

function parseAt(text: string, at: Place, options: ResolveNamedStoreOptions): StoreReference {
  const cwd = baseDir(at, options);
  try {
    return parseStoreReference(text, cwd === undefined ? {} : { cwd });
  } catch (e) {
    if (at.file === undefined) throw e;
    throw misplaced(at, (e as Error).message);
  }
}

function referenceOf(
  def: NamedStoreDefinition,
  stores: ReadonlyMap<string, NamedStore>,
  options: ResolveNamedStoreOptions,
  stack: readonly string[],
  at: Place,
): StoreReference {
  if (typeof def === 'string') {
    if (!def.startsWith('@')) return parseAt(def, at, options);
    const name = def.slice(1);
    if (stack.includes(name)) {
      const chain = [...stack, name].map((n) => `@${n}`).join(' -> ');
      throw strataError('STRATA_ERR_STORE_CYCLE', { chain });
    }
    const named = stores.get(name);
    if (!named) {
      const e = unknownName(name, stores);
      // Inside a definition: say which one, and where.
      if (at.file !== undefined) {
        throw misplaced(
          at,
          `refers to '${def}': ${e.message.replace(/^no store named '[^']*' is/, 'no such store is')}`,
        );
      }
      throw e;
    }
    const origin = named.origin;
    const place =
      origin.kind === 'config-file'
        ? { file: origin.file, path: origin.path ?? `stores.${name}` }
        : { path: describeOrigin(origin) };
    return referenceOf(named.definition, stores, options, [...stack, name], place);
  }
  let base: StoreReference;
  if (typeof def.url === 'string' && def.url.startsWith('@')) {
    // Another named store, with settings added or changed (a frozen copy of a level, say).
    base = referenceOf(def.url, stores, options, stack, { ...at, path: `${at.path}.url` });
  } else if (typeof def.url === 'string') {
    base = parseAt(def.url, { ...at, path: `${at.path}.url` }, options);
  } else {
    base = makeStoreReference({
      kind: 'specified',
      scheme: def.scheme as string,
      authority: (def.authority as string | undefined) ?? '',
    });
  }
  const params = new Map(base.params);
  for (const [key, value] of Object.entries(def)) {
    if (key === 'url' || key === 'scheme' || key === 'authority') continue;
    if (params.has(key) && !(typeof def.url === 'string' && def.url.startsWith('@'))) {
      throw misplaced(at, `'${key}' is given both in the store's url and as a field`);
    }
    const nested =
      isStoreObject(value) || (typeof value === 'string' && value.startsWith('@'))
        ? renderStoreReference(
            referenceOf(value as NamedStoreDefinition, stores, options, stack, {
              ...at,
              path: `${at.path}.${key}`,
            }),
          )
        : settingText(value, key);
    params.set(key, relativeToFile(nested, at, options));
  }
  return makeStoreReference(withParamsVariant(base.variant, params.size > 0), params);
}

/** A setting written as a relative path (`./x`, `../x`), made absolute from `baseDir`. */
function relativeToFile(value: string, at: Place, options: ResolveNamedStoreOptions): string {
  if (!value.startsWith('./') && !value.startsWith('../')) return value;
  const dir = baseDir(at, options);
  return dir === undefined ? value : resolve(dir, value);
}

// `local` and `daemon` render as bare words only without parameters; with parameters they
// become the schemes they stand for, as core's parser does for `local?root=…`.
function withParamsVariant(v: StoreReferenceVariant, hasParams: boolean): StoreReferenceVariant {
  if (!hasParams || (v.kind !== 'local' && v.kind !== 'daemon')) return v;
  return { kind: 'specified', scheme: v.kind === 'local' ? 'local' : 'unix', authority: '' };
}
