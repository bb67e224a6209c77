/**
 * The global settings while configuration is being read: Nix's `set(name, value)` operation
 * (spec/config-and-urls.md §4) over a schema, remembering for every setting its value, where
 * the value came from and whether a user source set it (`overridden`, §4.9).
 *
 * `set` looks the name up among names and aliases and assigns the parsed value; failing that,
 * `extra-NAME` appends to an appendable setting (`extra-binary-caches` works through the alias);
 * anything else is remembered as unknown (first value kept) for one warning at the end.
 *
 * @example
 *   const table = new SettingsTable(GLOBAL_SETTINGS, { env: process.env });
 *   table.set('build-cores', '4', { kind: 'flag', flag: '--option build-cores' });
 *   table.resolved().get('cores')?.value  // 4
 */
import {
  appendSettingValue,
  isAppendable,
  parseSettingValue,
  type ResolvedSetting,
  type SettingDef,
  type SettingOrigin,
  type SettingsSchema,
  type SettingValue,
} from '@strata/core';
import type { SettingSyntax } from './global-settings.js';
import type { Env } from './nix-conf/locations.js';

/** A setting name no declaration answers to, with the first value and origin given for it. */
export interface UnknownSetting {
  readonly name: string;
  readonly value: string;
  readonly origin: SettingOrigin;
}

/** How a table is built. */
export interface SettingsTableOptions {
  /** The environment computed defaults may read. */
  readonly env: Env;
  /** Directory for relative store-URL path shorthands in values. */
  readonly cwd?: string;
  /** Value syntaxes beyond the declared types (`max-jobs`). */
  readonly syntax?: ReadonlyMap<string, SettingSyntax>;
  /** Receives non-fatal diagnostics of parsing (unknown experimental features). */
  readonly warn?: (message: string) => void;
}

interface Entry {
  value: SettingValue;
  origin: SettingOrigin;
  overridden: boolean;
}

/** Mutable global settings with origins; {@link SettingsTable.resolved} gives the result. */
export class SettingsTable {
  private readonly defs = new Map<string, SettingDef>();
  private readonly byName = new Map<string, SettingDef>();
  private readonly entries = new Map<string, Entry>();
  private readonly defaults = new Map<string, SettingValue>();
  private readonly unknownByName = new Map<string, UnknownSetting>();

  constructor(
    schema: SettingsSchema,
    private readonly options: SettingsTableOptions,
  ) {
    const own: Record<string, SettingValue> = {};
    for (const def of schema) {
      this.defs.set(def.name, def);
      for (const n of [def.name, ...(def.aliases ?? [])]) this.byName.set(n, def);
      const value =
        typeof def.default === 'function'
          ? def.default({ own, global: own, env: options.env })
          : def.default;
      own[def.name] = value;
      this.defaults.set(def.name, value);
      this.entries.set(def.name, { value, origin: { kind: 'default' }, overridden: false });
    }
  }

  /** The declaration answering to `name` (a canonical name or an alias). */
  lookup(name: string): SettingDef | undefined {
    return this.byName.get(name);
  }

  /** Every name the table answers to: canonical names, aliases, and `extra-` forms. */
  names(): string[] {
    const out = [...this.byName.keys()];
    for (const [n, def] of this.byName) if (isAppendable(def.type)) out.push(`extra-${n}`);
    return out;
  }

  /** A setting's default value (computed once, when the table was built). */
  defaultOf(name: string): SettingValue {
    return this.defaults.get(name);
  }

  /**
   * Nix's `set(name, value)`: assigns, appends (`extra-`), or records an unknown name. Throws
   * the value's parse error (Nix's wording plus the origin). Returns what happened.
   */
  set(name: string, text: string, origin: SettingOrigin): 'assigned' | 'appended' | 'unknown' {
    const def = this.byName.get(name);
    if (def) {
      this.store(def, this.parse(def, text, origin), origin);
      return 'assigned';
    }
    if (name.startsWith('extra-')) {
      const base = this.byName.get(name.slice('extra-'.length));
      if (base && isAppendable(base.type)) {
        const current = this.entries.get(base.name)!.value;
        const syntax = this.options.syntax?.get(base.name);
        const value = syntax?.append
          ? syntax.append(current, text, origin, (t) => this.standard(base, t, origin))
          : appendSettingValue(base, current, text, origin, this.parseOptions());
        this.store(base, value, origin);
        return 'appended';
      }
    }
    if (!this.unknownByName.has(name)) this.unknownByName.set(name, { name, value: text, origin });
    return 'unknown';
  }

  /** Clears every `overridden` flag: Nix does this after the system nix.conf (§4.1). */
  resetOverridden(): void {
    for (const e of this.entries.values()) e.overridden = false;
  }

  /** Unknown names, sorted as Nix reports them. */
  unknown(): UnknownSetting[] {
    return [...this.unknownByName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The current state of every setting, by canonical name, sorted by name. */
  resolved(): Map<string, ResolvedSetting> {
    const names = [...this.defs.keys()].sort();
    return new Map(
      names.map((n) => {
        const e = this.entries.get(n)!;
        const setting: ResolvedSetting = {
          def: this.defs.get(n)!,
          value: e.value,
          origin: e.origin,
          overridden: e.overridden,
        };
        return [n, setting];
      }),
    );
  }

  private parse(def: SettingDef, text: string, origin: SettingOrigin): SettingValue {
    const syntax = this.options.syntax?.get(def.name);
    return syntax
      ? syntax.parse(text, origin, (t) => this.standard(def, t, origin))
      : this.standard(def, text, origin);
  }

  private standard(def: SettingDef, text: string, origin: SettingOrigin): SettingValue {
    return parseSettingValue(def, text, origin, this.parseOptions());
  }

  private parseOptions() {
    return {
      ...(this.options.warn ? { warn: this.options.warn } : {}),
      ...(this.options.cwd !== undefined ? { cwd: this.options.cwd } : {}),
    };
  }

  private store(def: SettingDef, value: SettingValue, origin: SettingOrigin): void {
    this.entries.set(def.name, { value, origin, overridden: true });
  }
}
