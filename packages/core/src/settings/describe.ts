/**
 * Documentation of store types generated from their schemas (`strata describe`, spec
 * config-and-urls.md §6.3): the text layout of Nix 2.8's `nix describe-stores` extended with
 * schemes, URL forms, types and features, and master's `__dump-cli` JSON with a `type` per
 * setting. Defaults are those of a store opened with no parameters in this environment.
 *
 * @example
 *   describeStoresText(describeStores(registry.implementations(), { env: process.env }));
 *   // ## Dummy Store\n\nschemes: dummy\nurl format: `dummy://`\n\n### path-info-cache-size …
 */

import type { StoreImplementation } from '../registry/plugin.js';
import { compareBytes } from '../registry/reference.js';
import { isFeatureEnabled } from './experimental.js';
import { stringifyJson } from './json.js';
import { settingTypeName, settingValueToJson } from './parse.js';
import { defaultValue } from './store-settings.js';
import type { DefaultContext, SettingDef, SettingValue } from './types.js';

/** One setting, documented. */
export interface SettingDoc {
  readonly name: string;
  readonly description: string;
  readonly aliases: readonly string[];
  readonly type: string;
  readonly experimentalFeature: string | null;
  /** JSON value of the default in this environment. */
  readonly defaultValue: unknown;
  readonly documentDefault: boolean;
}

/** One store type, documented. */
export interface StoreDoc {
  readonly name: string;
  readonly plugin: string;
  readonly doc: string;
  readonly schemes: readonly string[];
  readonly urlFormats: readonly string[];
  readonly experimentalFeature: string | null;
  readonly capabilities: readonly string[];
  /** Sorted by name. */
  readonly settings: readonly SettingDoc[];
}

/** What defaults are computed from. */
export interface DescribeOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly global?: Readonly<Record<string, SettingValue>>;
}

function documentSettings(schema: readonly SettingDef[], options: DescribeOptions): SettingDoc[] {
  const own: Record<string, SettingValue> = {};
  const ctx: DefaultContext = {
    own,
    global: options.global ?? {},
    env: options.env ?? process.env,
  };
  const docs: SettingDoc[] = [];
  for (const def of schema) {
    const value = defaultValue(def, ctx);
    own[def.name] = value;
    docs.push({
      name: def.name,
      description: `${def.description.replace(/\s+$/, '')}\n`,
      aliases: def.aliases ?? [],
      type: settingTypeName(def.type),
      experimentalFeature: def.experimentalFeature ?? null,
      defaultValue: settingValueToJson(def, value),
      documentDefault: def.documentDefault !== false,
    });
  }
  return docs.sort((a, b) => compareBytes(a.name, b.name));
}

/** Documents `implementations` (sorted by store name). */
export function describeStores(
  implementations: ReadonlyArray<{ implementation: StoreImplementation; plugin: string }>,
  options: DescribeOptions = {},
): StoreDoc[] {
  return implementations
    .map(({ implementation: impl, plugin }) => ({
      name: impl.name,
      plugin,
      doc: impl.doc,
      schemes: [...impl.schemes].sort(),
      urlFormats: impl.urlFormats,
      experimentalFeature: impl.experimentalFeature ?? null,
      capabilities: [...impl.capabilities].sort(),
      settings: documentSettings(impl.settings, options),
    }))
    .sort((a, b) => compareBytes(a.name, b.name));
}

/** The text layout of spec §6.3. */
export function describeStoresText(stores: readonly StoreDoc[]): string {
  let out = '';
  for (const store of stores) {
    out += `## ${store.name}\n\n`;
    out += `schemes: ${store.schemes.join(' ')}\n`;
    out += `url format: ${store.urlFormats.map((f) => `\`${f}\``).join(', ')}\n`;
    if (store.experimentalFeature) out += `experimental feature: ${store.experimentalFeature}\n`;
    out += `\n${store.doc.trim()}\n\n`;
    for (const s of store.settings) {
      out += `### ${s.name}\n\n${s.description}\n`;
      out += `default: ${s.documentDefault ? stringifyJson(s.defaultValue) : 'machine-specific'}\n`;
      out += `type: ${s.type}\n`;
      if (s.experimentalFeature) out += `experimental feature: ${s.experimentalFeature}\n`;
      out += '\n';
      if (s.aliases.length > 0) out += `aliases: ${stringifyJson(s.aliases)}\n\n`;
    }
  }
  return out;
}

/** The JSON of spec §6.2 (master's `stores` dump) with a `type` per setting. */
export function describeStoresJson(
  stores: readonly StoreDoc[],
  features: Iterable<string> = [],
): unknown {
  const enabled = [...features];
  const out: Record<string, unknown> = {};
  for (const store of stores) {
    const settings: Record<string, unknown> = {};
    for (const s of store.settings) {
      settings[s.name] = {
        aliases: s.aliases,
        defaultValue: s.defaultValue,
        description: s.description,
        documentDefault: s.documentDefault,
        experimentalFeature: s.experimentalFeature,
        type: s.type,
        value:
          s.experimentalFeature === null || isFeatureEnabled(enabled, s.experimentalFeature)
            ? s.defaultValue
            : null,
      };
    }
    out[store.name] = {
      capabilities: store.capabilities,
      doc: store.doc,
      experimentalFeature: store.experimentalFeature,
      plugin: store.plugin,
      settings,
      'uri-schemes': store.schemes,
      'url-formats': store.urlFormats,
    };
  }
  return out;
}
