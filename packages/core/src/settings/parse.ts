/**
 * The textual syntax of setting values (spec/config-and-urls.md §3.2), shared by store URL
 * parameters, nix.conf, `NIX_CONFIG`, the Strata config file and `--option`: parse, append
 * (`extra-`), render (Nix's `to_string`). Errors use Nix's wording and then say where the
 * value came from: `Boolean setting 'trusted' has invalid value 'True' (from store URL '…')`.
 *
 * @example
 *   const def = { name: 'priority', type: { kind: 'int', signed: true }, default: 0, description: '' };
 *   parseSettingValue(def, '-5', { kind: 'flag', flag: '--option' })  // -5
 *   renderSettingValue(def, 1024)                                      // '1024'
 */
import { strataError } from '../errors.js';
import { parseStoreReference, renderStoreReference } from '../registry/reference.js';
import { parseExperimentalFeatures } from './experimental.js';
import { canonicalisePath } from './paths.js';
import {
  describeOrigin,
  type SettingDef,
  type SettingOrigin,
  type SettingType,
  type SettingValue,
} from './types.js';

/** Context for parsing that is not part of the value itself. */
export interface ParseSettingOptions {
  /** Receives non-fatal diagnostics (unknown experimental feature names). */
  readonly warn?: (message: string) => void;
  /** Directory for relative path shorthands inside store URL values (default: cwd). */
  readonly cwd?: string;
}

/** Splits on runs of space, tab, CR and LF, dropping empty tokens (no quoting exists). */
export function tokenize(text: string): string[] {
  return text.split(/[ \t\r\n]+/).filter((t) => t !== '');
}

/** ` (from <origin>)`, or nothing for defaults. */
export function fromOrigin(origin: SettingOrigin): string {
  return origin.kind === 'default' ? '' : ` (from ${describeOrigin(origin)})`;
}

/** A store URL value may also name a store from the configuration: `@name`. */
export const NAMED_STORE = /^@[A-Za-z0-9][A-Za-z0-9._-]*$/;

const MULTIPLIERS: Record<string, bigint> = {
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
};

/** Parses `[+-]digits[KMGT]` to a bigint, or undefined. */
function parseInteger(text: string, allowNegative: boolean): bigint | undefined {
  const m = /^([+-]?)(\d+)([KMGTkmgt]?)$/.exec(text);
  if (!m || (m[1] === '-' && !allowNegative)) return undefined;
  const n = BigInt(m[2]!) * (m[3] ? MULTIPLIERS[m[3].toLowerCase()]! : 1n);
  return m[1] === '-' ? -n : n;
}

function intRange(type: Extract<SettingType, { kind: 'int' }>): [bigint, bigint] {
  const lo = type.min !== undefined ? BigInt(type.min) : type.signed ? -(2n ** 31n) : 0n;
  const hi =
    type.max !== undefined ? BigInt(type.max) : type.signed ? 2n ** 31n - 1n : 2n ** 32n - 1n;
  return [lo, hi];
}

function parsePath(def: SettingDef, text: string, origin: SettingOrigin, optional: boolean) {
  if (text === '') {
    if (optional) return undefined;
    throw strataError('STRATA_ERR_SETTING_EMPTY_PATH', {
      name: def.name,
      where: fromOrigin(origin),
    });
  }
  const canon = canonicalisePath(text);
  if (canon !== undefined) return canon;
  const where = ` (setting '${def.name}'${origin.kind === 'default' ? '' : `, from ${describeOrigin(origin)}`})`;
  // The logical store directory has its own message in Nix.
  if (def.name === 'store') {
    throw strataError('STRATA_ERR_SETTING_STORE_DIR_NOT_ABSOLUTE', { value: text, where });
  }
  throw strataError('STRATA_ERR_SETTING_NOT_ABSOLUTE', { value: text, where });
}

function parseStoreUrl(def: SettingDef, text: string, origin: SettingOrigin, cwd?: string) {
  if (text === '' || NAMED_STORE.test(text)) return text;
  try {
    return renderStoreReference(parseStoreReference(text, cwd === undefined ? {} : { cwd }));
  } catch (e) {
    throw strataError(
      'STRATA_ERR_SETTING_BAD_STORE_URL',
      {
        name: def.name,
        message: (e as Error).message,
        where: origin.kind === 'default' ? '' : `, from ${describeOrigin(origin)}`,
      },
      { cause: e },
    );
  }
}

/**
 * Parses the text of a setting value into its typed value, or throws with Nix's message plus
 * the origin. Store URL values are stored in canonical rendered form (`''` = not given,
 * `@name` = a named store from the configuration).
 */
export function parseSettingValue(
  def: SettingDef,
  text: string,
  origin: SettingOrigin,
  options: ParseSettingOptions = {},
): SettingValue {
  const t = def.type;
  const where = fromOrigin(origin);
  switch (t.kind) {
    case 'bool':
      if (text === 'true' || text === 'yes' || text === '1') return true;
      if (text === 'false' || text === 'no' || text === '0') return false;
      throw strataError('STRATA_ERR_SETTING_BAD_BOOL', { name: def.name, value: text, where });
    case 'int': {
      const n = parseInteger(text, t.signed === true || (t.min !== undefined && t.min < 0));
      const [lo, hi] = intRange(t);
      if (n === undefined || n < lo || n > hi) {
        throw strataError('STRATA_ERR_SETTING_BAD_VALUE', { name: def.name, value: text, where });
      }
      return Number(n);
    }
    case 'size': {
      const n = parseInteger(text, false);
      if (n === undefined || n >= 2n ** 64n) {
        throw strataError('STRATA_ERR_SETTING_BAD_VALUE', { name: def.name, value: text, where });
      }
      return n;
    }
    case 'string':
      return text;
    case 'optional-string':
      return text === '' ? undefined : text;
    case 'path':
      return parsePath(def, text, origin, t.optional === true);
    case 'string-list':
      return tokenize(text);
    case 'string-set':
      return [...new Set(tokenize(text))].sort(byteOrder);
    case 'string-map': {
      const out: Record<string, string> = {};
      for (const tok of tokenize(text)) {
        const eq = tok.indexOf('=');
        if (eq !== -1 && !Object.hasOwn(out, tok.slice(0, eq))) {
          out[tok.slice(0, eq)] = tok.slice(eq + 1);
        }
      }
      return out;
    }
    case 'feature-set':
      return parseExperimentalFeatures(tokenize(text), (m) => options.warn?.(`${m}${where}`));
    case 'enum':
      if (t.values.includes(text)) return text;
      throw strataError('STRATA_ERR_SETTING_BAD_OPTION', { name: def.name, value: text, where });
    case 'store-url':
      return parseStoreUrl(def, text, origin, options.cwd);
    case 'store-url-list':
      return tokenize(text).map((tok) => parseStoreUrl(def, tok, origin, options.cwd));
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** True when `extra-<name>` can append to a setting of this type. */
export function isAppendable(type: SettingType): boolean {
  return ['string-list', 'string-set', 'string-map', 'feature-set', 'store-url-list'].includes(
    type.kind,
  );
}

/**
 * Applies `extra-<name> = text` to the current value: lists append, sets union, maps add keys
 * they do not have yet. A setting that is not appendable has no `extra-` form, so the name is
 * unknown, as Nix says.
 */
export function appendSettingValue(
  def: SettingDef,
  current: SettingValue,
  text: string,
  origin: SettingOrigin,
  options: ParseSettingOptions = {},
): SettingValue {
  if (!isAppendable(def.type)) {
    throw strataError('STRATA_ERR_SETTING_UNKNOWN', {
      name: `extra-${def.name}`,
      where: fromOrigin(origin),
    });
  }
  const added = parseSettingValue(def, text, origin, options);
  switch (def.type.kind) {
    case 'string-map':
      return {
        ...(added as Record<string, string>),
        ...((current ?? {}) as Record<string, string>),
      };
    case 'string-set':
    case 'feature-set':
      return [...new Set([...((current ?? []) as string[]), ...(added as string[])])].sort(
        byteOrder,
      );
    default:
      return [...((current ?? []) as string[]), ...(added as string[])];
  }
}

/** Renders a value the way Nix prints it (`to_string`): what `config show` and URLs show. */
export function renderSettingValue(def: SettingDef, value: SettingValue): string {
  if (value === undefined) return '';
  switch (def.type.kind) {
    case 'bool':
      return value ? 'true' : 'false';
    case 'string-map':
      return Object.entries(value as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
    case 'string-list':
    case 'string-set':
    case 'feature-set':
    case 'store-url-list':
      return (value as readonly string[]).join(' ');
    default:
      return String(value);
  }
}

/** The JSON form of a value (bigints stay bigints; see `stringifyJson`). */
export function settingValueToJson(def: SettingDef, value: SettingValue): unknown {
  if (value === undefined) {
    return def.type.kind === 'optional-string' || def.type.kind === 'path' ? null : '';
  }
  return value;
}

/** A short name of a type, for documentation (`strata describe`) and messages. */
export function settingTypeName(type: SettingType): string {
  switch (type.kind) {
    case 'bool':
      return 'bool';
    case 'int':
      return type.signed || (type.min !== undefined && type.min < 0) ? 'int' : 'unsigned';
    case 'size':
      return 'uint64';
    case 'string':
      return 'string';
    case 'optional-string':
      return 'optional string';
    case 'path':
      return type.optional ? 'optional path' : 'path';
    case 'string-list':
      return 'strings';
    case 'string-set':
      return 'string set';
    case 'string-map':
      return 'string map';
    case 'feature-set':
      return 'experimental features';
    case 'enum':
      return `one of: ${type.values.join(', ')}`;
    case 'store-url':
      return 'store reference';
    case 'store-url-list':
      return 'store references';
  }
}

/** Re-renders a store URL value canonically (exported for the registry's composition keys). */
export function canonicalStoreUrl(text: string, cwd?: string): string {
  if (text === '' || NAMED_STORE.test(text)) return text;
  return renderStoreReference(parseStoreReference(text, cwd === undefined ? {} : { cwd }));
}
