/**
 * The setting model: each setting is declared once, as data, and that declaration drives URL
 * parsing, nix.conf parsing, validation, `strata describe`, the config-file JSON schema and
 * typed access (spec/config-and-urls.md §3.1–3.2).
 *
 * @example
 *   const requireSigs: SettingDef<boolean> = {
 *     name: 'require-sigs', type: { kind: 'bool' }, default: true,
 *     description: 'Whether paths copied into this store need a trusted signature.',
 *   };
 */

/** The value types of spec §3.2, each with its own textual syntax. */
export type SettingType =
  | { readonly kind: 'bool' }
  /** Decimal integer with optional leading `+`; `-` only when `signed`. */
  | {
      readonly kind: 'int';
      readonly signed?: boolean;
      readonly min?: number;
      readonly max?: number;
    }
  /** Byte sizes: an integer with an optional K/M/G/T suffix (powers of 1024). */
  | { readonly kind: 'size' }
  | { readonly kind: 'string' }
  /** A string whose empty value means "unset". */
  | { readonly kind: 'optional-string' }
  /** Lexically canonicalised absolute path; `optional` allows empty (= unset). */
  | { readonly kind: 'path'; readonly optional?: boolean }
  /** Whitespace-separated tokens, order and duplicates kept; `extra-` appends. */
  | { readonly kind: 'string-list' }
  /** Whitespace-separated tokens, sorted and de-duplicated; `extra-` unions. */
  | { readonly kind: 'string-set' }
  /** `k=v` tokens; `extra-` adds keys without overwriting. */
  | { readonly kind: 'string-map' }
  /** Experimental feature names; unknown names are dropped with a warning. */
  | { readonly kind: 'feature-set' }
  /** One of a fixed list of words. */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** A store URL: opened through the registry when the store that owns it is opened. */
  | { readonly kind: 'store-url' }
  /** Whitespace-separated store URLs. */
  | { readonly kind: 'store-url-list' };

/** The TypeScript value a setting of each kind holds. */
export type SettingValue =
  | boolean
  | number
  /** 64-bit sizes (`size` kind: `min-free`, `max-free`), which exceed a double's precision. */
  | bigint
  | string
  | undefined
  | readonly string[]
  | Readonly<Record<string, string>>;

/** One setting, declared once. */
export interface SettingDef<T extends SettingValue = SettingValue> {
  /** kebab-case, case-sensitive. */
  readonly name: string;
  readonly type: SettingType;
  /**
   * The default: a value, or a function of the other settings of the same config and of the
   * global settings (e.g. the local store's `state` from `root`, `require-sigs` from global).
   */
  readonly default: T | ((ctx: DefaultContext) => T);
  /** False when the default is machine-specific; docs then say so instead of the value. */
  readonly documentDefault?: boolean;
  /** Markdown. */
  readonly description: string;
  /** Older spellings, accepted silently. */
  readonly aliases?: readonly string[];
  /** A feature that must be enabled for the setting to take effect. */
  readonly experimentalFeature?: string;
}

/** What a computed default may look at. */
export interface DefaultContext {
  /** Values of this config's settings resolved so far (by canonical name). */
  readonly own: Readonly<Record<string, SettingValue>>;
  /** Effective global settings (nix.conf and friends). */
  readonly global: Readonly<Record<string, SettingValue>>;
  /** The process environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Where a value came from, so `config show` and error messages can name it. */
export type SettingOrigin =
  | { readonly kind: 'default' }
  | { readonly kind: 'nix.conf'; readonly file: string; readonly line: number }
  | { readonly kind: 'env'; readonly variable: string; readonly line?: number }
  | { readonly kind: 'config-file'; readonly file: string; readonly path?: string }
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'url'; readonly url: string };

/** A setting's effective value, with where it came from and whether a user set it. */
export interface ResolvedSetting<T extends SettingValue = SettingValue> {
  readonly def: SettingDef<T>;
  readonly value: T;
  readonly origin: SettingOrigin;
  /** True once assigned from a user source (spec §3.1 `overridden`). */
  readonly overridden: boolean;
}

/** An ordered list of setting declarations; schemas extend each other by concatenation. */
export type SettingsSchema = readonly SettingDef[];

/** Renders an origin for messages: `nix.conf:/etc/nix/nix.conf:12`, `--option`, `URL …`. */
export function describeOrigin(origin: SettingOrigin): string {
  switch (origin.kind) {
    case 'default':
      return 'default';
    case 'nix.conf':
      return `${origin.file}:${origin.line}`;
    case 'env':
      return origin.line === undefined
        ? `$${origin.variable}`
        : `$${origin.variable}:${origin.line}`;
    case 'config-file':
      return origin.path === undefined ? origin.file : `${origin.file} (${origin.path})`;
    case 'flag':
      return origin.flag;
    case 'url':
      return `store URL '${origin.url}'`;
  }
}
