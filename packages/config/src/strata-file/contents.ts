/**
 * Checks the contents of a Strata config file and splits them into what the rest of the
 * configuration needs: settings (as nix.conf-syntax text, so they go through the same parser
 * as every other source), named stores, plugins and overlay mounts, each with its origin.
 *
 * Top-level keys are setting names (or aliases, or `extra-NAME` to append), plus `stores`,
 * `plugins`, `overlays` and `$schema`. Native values are turned into text: booleans as
 * `true`/`false`, numbers in decimal, lists joined with spaces, maps as `k=v` tokens.
 *
 * @example
 *   strataFileContents('/p/strata.config.yaml', { cores: 4, plugins: ['./p.js'] })
 *   // { settings: [{ name: 'cores', text: '4', origin: { kind: 'config-file', file: '/p/…', path: 'cores' } }],
 *   //   plugins: [{ specifier: './p.js', resolved: '/p/p.js', … }], stores: Map {}, overlays: [] }
 */
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { type SettingOrigin, strataError } from '@strata/core';
import { nearestName } from '../nearest-name.js';

/** A setting given in the file, as text. */
export interface FileSetting {
  readonly name: string;
  readonly text: string;
  readonly origin: SettingOrigin;
}

/** A named store as written: a store URL, or an object (see {@link NamedStoreObject}). */
export type NamedStoreDefinition = string | NamedStoreObject;

/**
 * A store described field by field: `url` (a base URL whose query the other fields extend) or
 * `scheme` (with an optional encoded `authority`, the part after `scheme://`), then settings.
 * A setting that names another store (`lower-store`) holds `@name`, a URL or a nested object.
 */
export interface NamedStoreObject {
  readonly url?: string;
  readonly scheme?: string;
  readonly authority?: string;
  readonly [setting: string]: unknown;
}

/** A named store with where it was defined. */
export interface NamedStore {
  readonly name: string;
  readonly definition: NamedStoreDefinition;
  readonly origin: SettingOrigin;
}

/** A plugin to load: as written, resolved against the config file, and where it was named. */
export interface PluginReference {
  readonly specifier: string;
  /** An absolute file path for relative specifiers and resolvable packages, else `specifier`. */
  readonly resolved: string;
  readonly origin: SettingOrigin;
  /** `plugins` of the Strata config file, or nix.conf's `plugin-files`. */
  readonly source: 'config-file' | 'plugin-files';
}

/**
 * An overlay mount (spec/local-overlay.md §8.1), kept as validated raw data for the overlay
 * commands: `mountPoint` and `lowerdir` are required, `upperdir`/`workdir` are paths or null;
 * NixOS's other keys are kept as written, and any other key is an error.
 */
export interface OverlayMountSpec {
  readonly mountPoint: string;
  readonly lowerdir: readonly string[];
  readonly upperdir?: string | null;
  readonly workdir?: string | null;
  readonly device?: string;
  readonly [key: string]: unknown;
  /** Where the entry was defined (not part of the file's data). */
  readonly origin: SettingOrigin;
}

/** Everything a Strata config file contributes. */
export interface StrataFileContents {
  readonly file: string;
  readonly settings: readonly FileSetting[];
  readonly stores: ReadonlyMap<string, NamedStore>;
  readonly plugins: readonly PluginReference[];
  readonly overlays: readonly OverlayMountSpec[];
}

/** The keys that are not settings. */
export const RESERVED_KEYS = ['$schema', 'stores', 'plugins', 'overlays'] as const;

/** What a store name must look like (it is written `@name` where a store URL is expected). */
export const STORE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function invalid(file: string, reason: string) {
  return strataError('STRATA_ERR_CONFIG_FILE_INVALID', { file, reason });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const WHITESPACE = /[ \t\r\n]/;

/**
 * Turns a native value into setting text. Throws a message (without the file) when the value
 * cannot be expressed, e.g. a list element containing whitespace, which would split.
 */
export function settingText(value: unknown, where: string): string {
  const token = (v: unknown, what: string): string => {
    const t = scalarText(v, what);
    if (WHITESPACE.test(t) || t === '') {
      throw new Error(
        `${what} must be a non-empty token without whitespace, not ${JSON.stringify(t)}`,
      );
    }
    return t;
  };
  if (Array.isArray(value)) return value.map((v, i) => token(v, `${where}[${i}]`)).join(' ');
  if (isPlainObject(value)) {
    return Object.entries(value)
      .map(([k, v]) => {
        if (k.includes('=') || WHITESPACE.test(k) || k === '') {
          throw new Error(
            `${where} has a key that is not a word without '=': ${JSON.stringify(k)}`,
          );
        }
        return `${k}=${token(v, `${where}.${k}`)}`;
      })
      .join(' ');
  }
  return scalarText(value, where);
}

function scalarText(value: unknown, where: string): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      if (Number.isFinite(value)) return String(value);
      break;
    case 'object':
      if (value === null) return '';
      break;
  }
  throw new Error(`${where} has a value that is not a string, number, boolean or list of them`);
}

function resolvePlugin(specifier: string, file: string): string {
  const dir = posix.dirname(file);
  if (specifier.startsWith('./') || specifier.startsWith('../')) return posix.join(dir, specifier);
  if (specifier.startsWith('/') || specifier.includes(':')) return specifier;
  try {
    return createRequire(file).resolve(specifier);
  } catch {
    // Not resolvable from here (e.g. an ESM-only package): the registry imports it by name.
    return specifier;
  }
}

/** The keys of an overlay entry: NixOS's (spec/local-overlay.md §8.1) and `$comment`. */
const OVERLAY_KEYS = [
  'mountPoint',
  'device',
  'lowerdir',
  'upperdir',
  'workdir',
  'useStage1BaseDirectories',
  'neededForBoot',
  '$comment',
];

function overlay(file: string, entry: unknown, i: number): OverlayMountSpec {
  const at = `overlays[${i}]`;
  if (!isPlainObject(entry)) throw invalid(file, `${at} must be an object`);
  // The kernel shows layers as given, and the store's mount check compares them exactly
  // (spec/local-overlay.md §3.2): a trailing `/` would never match, so none is allowed.
  const absolute = (v: unknown, key: string): string => {
    if (typeof v !== 'string' || !v.startsWith('/')) {
      throw invalid(file, `${at}.${key} must be an absolute path`);
    }
    if (v.length > 1 && v.endsWith('/')) throw invalid(file, `${at}.${key} must not end in '/'`);
    return v;
  };
  const mountPoint = absolute(entry.mountPoint, 'mountPoint');
  if (!Array.isArray(entry.lowerdir) || entry.lowerdir.length === 0) {
    throw invalid(file, `${at}.lowerdir must be a non-empty list of absolute paths`);
  }
  entry.lowerdir.forEach((d, j) => {
    absolute(d, `lowerdir[${j}]`);
  });
  for (const key of ['upperdir', 'workdir'] as const) {
    if (entry[key] !== undefined && entry[key] !== null) absolute(entry[key], key);
  }
  if (entry.device !== undefined && typeof entry.device !== 'string') {
    throw invalid(file, `${at}.device must be a string`);
  }
  for (const key of Object.keys(entry)) {
    if (OVERLAY_KEYS.includes(key)) continue;
    const near = nearestName(key, OVERLAY_KEYS);
    throw strataError(
      'STRATA_ERR_CONFIG_FILE_INVALID',
      { file, reason: `${at}: unknown key '${key}'` },
      {
        hint: near
          ? `did you mean '${near}'?`
          : `the keys of an overlay: ${OVERLAY_KEYS.join(', ')}`,
      },
    );
  }
  return {
    ...entry,
    mountPoint,
    lowerdir: entry.lowerdir as string[],
    origin: { kind: 'config-file', file, path: at },
  };
}

/** Checks a named store definition's shape (recursively for nested stores). */
function checkStore(file: string, def: unknown, at: string): NamedStoreDefinition {
  if (typeof def === 'string') {
    if (def.startsWith('@') && !STORE_NAME.test(def.slice(1))) {
      throw invalid(file, `${at} refers to '${def}', which is not a valid store name`);
    }
    return def;
  }
  if (!isPlainObject(def)) throw invalid(file, `${at} must be a store URL or an object`);
  const hasUrl = def.url !== undefined;
  const hasScheme = def.scheme !== undefined;
  if (hasUrl === hasScheme) throw invalid(file, `${at} needs exactly one of 'url' and 'scheme'`);
  if (hasUrl && typeof def.url !== 'string') throw invalid(file, `${at}.url must be a string`);
  if (
    hasScheme &&
    (typeof def.scheme !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(def.scheme))
  ) {
    throw invalid(file, `${at}.scheme must be a URL scheme such as 'local-overlay'`);
  }
  if (def.authority !== undefined && (!hasScheme || typeof def.authority !== 'string')) {
    throw invalid(file, `${at}.authority must be a string, given together with 'scheme'`);
  }
  for (const [key, value] of Object.entries(def)) {
    if (key === 'url' || key === 'scheme' || key === 'authority') continue;
    const path = `${at}.${key}`;
    if (isPlainObject(value) && ('url' in value || 'scheme' in value)) {
      checkStore(file, value, path);
    } else if (typeof value === 'string' && value.startsWith('@')) {
      checkStore(file, value, path);
    } else {
      try {
        settingText(value, path);
      } catch (e) {
        throw invalid(file, (e as Error).message);
      }
    }
  }
  return def as NamedStoreObject;
}

/** Validates a loaded Strata config file and splits it up; throws naming the file and key. */
export function strataFileContents(file: string, contents: unknown): StrataFileContents {
  if (contents === undefined || contents === null) {
    return { file, settings: [], stores: new Map(), plugins: [], overlays: [] };
  }
  if (!isPlainObject(contents)) throw invalid(file, 'the configuration must be an object');
  const settings: FileSetting[] = [];
  const stores = new Map<string, NamedStore>();
  const plugins: PluginReference[] = [];
  const overlays: OverlayMountSpec[] = [];
  for (const [key, value] of Object.entries(contents)) {
    switch (key) {
      case '$schema':
        break;
      case 'stores':
        if (!isPlainObject(value)) throw invalid(file, "'stores' must map names to stores");
        for (const [name, def] of Object.entries(value)) {
          if (!STORE_NAME.test(name)) {
            throw invalid(file, `store name '${name}' must be letters, digits, '.', '_' or '-'`);
          }
          stores.set(name, {
            name,
            definition: checkStore(file, def, `stores.${name}`),
            origin: { kind: 'config-file', file, path: `stores.${name}` },
          });
        }
        break;
      case 'plugins':
        if (!Array.isArray(value) || !value.every((p) => typeof p === 'string' && p !== '')) {
          throw invalid(file, "'plugins' must be a list of module specifiers");
        }
        value.forEach((specifier: string, i) => {
          plugins.push({
            specifier,
            resolved: resolvePlugin(specifier, file),
            origin: { kind: 'config-file', file, path: `plugins[${i}]` },
            source: 'config-file',
          });
        });
        break;
      case 'overlays':
        if (!Array.isArray(value)) throw invalid(file, "'overlays' must be a list of mounts");
        value.forEach((entry, i) => {
          overlays.push(overlay(file, entry, i));
        });
        break;
      default:
        try {
          const text = settingText(value, key);
          settings.push({ name: key, text, origin: { kind: 'config-file', file, path: key } });
        } catch (e) {
          throw invalid(file, (e as Error).message);
        }
    }
  }
  return { file, settings, stores, plugins, overlays };
}
