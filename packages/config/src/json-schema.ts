/**
 * The JSON schema of the Strata config file, generated from setting schemas (each setting
 * declared once feeds parsing, docs and this schema): the global settings become top-level
 * properties (with their aliases and `extra-NAME` for appendable ones), and each store schema
 * the registry knows becomes one shape of a named store under `stores`. Editors use it for
 * completion and validation (`$schema: ./node_modules/@strata/config/schema/strata.schema.json`,
 * or `# yaml-language-server: $schema=…`). `scripts/generate-schema.ts` writes it to
 * `schema/strata.schema.json`; a test keeps that file up to date.
 *
 * @example
 *   strataConfigJsonSchema({ globalSettings: GLOBAL_SETTINGS, stores: [{ schemes: ['local'], settings: LOCAL }] })
 */
import {
  EXPERIMENTAL_FEATURES,
  isAppendable,
  renderSettingValue,
  type SettingDef,
  type SettingsSchema,
  type SettingType,
} from '@strata/core';
import { STORE_NAME } from './strata-file/contents.js';

/** A JSON schema (draft-07), as plain data. */
export type JsonSchema = { readonly [key: string]: unknown };

/** One store implementation, as the schema needs it. */
export interface StoreSchemaInput {
  /** The URL schemes it answers (`['local-overlay']`). */
  readonly schemes: readonly string[];
  readonly settings: SettingsSchema;
  /** A short description of the store. */
  readonly description?: string;
}

/** What the schema is generated from. */
export interface StrataSchemaInput {
  readonly globalSettings: SettingsSchema;
  readonly stores?: readonly StoreSchemaInput[];
}

const LIST_TEXT = { type: 'string', description: 'Whitespace-separated, as in nix.conf.' };
const TOKEN = { type: 'string', pattern: '^[^\\s]+$' };
const STORE_REF = { $ref: '#/definitions/storeReference' };

/** The JSON schema of a value of `type`: the native form, or the nix.conf text. */
export function settingTypeJsonSchema(type: SettingType): JsonSchema {
  switch (type.kind) {
    case 'bool':
      return { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', 'yes', 'no', '1', '0'] }] };
    case 'int': {
      const range = {
        ...(type.min !== undefined ? { minimum: type.min } : {}),
        ...(type.max !== undefined ? { maximum: type.max } : {}),
      };
      const sign = type.signed || (type.min ?? 0) < 0 ? '[+-]?' : '\\+?';
      return {
        anyOf: [
          { type: 'integer', ...range },
          { type: 'string', pattern: `^${sign}[0-9]+[KMGTkmgt]?$` },
        ],
      };
    }
    case 'size':
      return {
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', pattern: '^\\+?[0-9]+[KMGTkmgt]?$' },
        ],
      };
    case 'string':
      return { type: 'string' };
    case 'optional-string':
      return { type: ['string', 'null'] };
    case 'path':
      return type.optional
        ? { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^(/.*)?$' }] }
        : { type: 'string', pattern: '^/' };
    case 'string-list':
    case 'string-set':
      return { anyOf: [{ type: 'array', items: TOKEN }, LIST_TEXT] };
    case 'string-map':
      return {
        anyOf: [
          { type: 'object', propertyNames: { pattern: '^[^\\s=]+$' }, additionalProperties: TOKEN },
          LIST_TEXT,
        ],
      };
    case 'feature-set':
      return {
        anyOf: [{ type: 'array', items: { enum: [...EXPERIMENTAL_FEATURES] } }, LIST_TEXT],
      };
    case 'enum': {
      const booleans = type.values.filter((v) => v === 'true' || v === 'false');
      return booleans.length
        ? { anyOf: [{ enum: [...type.values] }, { type: 'boolean' }] }
        : { enum: [...type.values] };
    }
    case 'store-url':
      return { type: 'string' };
    case 'store-url-list':
      return { anyOf: [{ type: 'array', items: TOKEN }, LIST_TEXT] };
  }
}

function settingJsonSchema(def: SettingDef, inStore: boolean): JsonSchema {
  const base =
    inStore && def.type.kind === 'store-url' ? STORE_REF : settingTypeJsonSchema(def.type);
  const documented = def.documentDefault !== false && typeof def.default !== 'function';
  return {
    ...base,
    description: def.description,
    ...(documented ? { default: jsonDefault(def) } : {}),
  };
}

function jsonDefault(def: SettingDef): unknown {
  const v = def.default;
  if (typeof v === 'bigint') return renderSettingValue(def, v);
  if (v === undefined) return null;
  return v;
}

function globalProperties(settings: SettingsSchema): Record<string, JsonSchema> {
  const props: Record<string, JsonSchema> = {};
  for (const def of [...settings].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    props[def.name] = settingJsonSchema(def, false);
    for (const alias of def.aliases ?? []) {
      props[alias] = { $ref: `#/properties/${def.name}`, description: `Alias of \`${def.name}\`.` };
    }
    if (isAppendable(def.type)) {
      for (const n of [def.name, ...(def.aliases ?? [])]) {
        props[`extra-${n}`] = {
          $ref: `#/properties/${def.name}`,
          description: `Appended to \`${def.name}\` as set by the sources before this file.`,
        };
      }
    }
  }
  return props;
}

function storeShape(store: StoreSchemaInput): JsonSchema {
  const props: Record<string, JsonSchema> = {
    scheme: { enum: [...store.schemes], description: 'The store type.' },
    authority: {
      type: 'string',
      description: 'The percent-encoded part of the URL after `scheme://` (host, path).',
    },
  };
  for (const def of store.settings) {
    props[def.name] = settingJsonSchema(def, true);
    for (const alias of def.aliases ?? []) {
      props[alias] = { ...settingJsonSchema(def, true), description: `Alias of \`${def.name}\`.` };
    }
  }
  return {
    type: 'object',
    ...(store.description ? { description: store.description } : {}),
    required: ['scheme'],
    properties: props,
    additionalProperties: false,
  };
}

function urlShape(stores: readonly StoreSchemaInput[]): JsonSchema {
  const props: Record<string, JsonSchema> = {
    url: { type: 'string', description: 'A store URL; the other fields add to its query.' },
  };
  for (const store of stores) {
    for (const def of store.settings) {
      for (const n of [def.name, ...(def.aliases ?? [])]) props[n] ??= settingJsonSchema(def, true);
    }
  }
  return {
    type: 'object',
    description: 'A store given by URL, with settings added as fields.',
    required: ['url'],
    properties: props,
    additionalProperties: stores.length === 0,
  };
}

const OVERLAY: JsonSchema = {
  type: 'object',
  description: 'An OverlayFS mount (spec/local-overlay.md §8.1).',
  required: ['mountPoint', 'lowerdir'],
  properties: {
    mountPoint: { type: 'string', pattern: '^/(.*[^/])?$', description: 'The merged directory.' },
    device: { type: 'string', default: 'overlay' },
    lowerdir: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^/' },
      description: 'Lower directories, top-most first.',
    },
    upperdir: { type: ['string', 'null'], pattern: '^/' },
    workdir: { type: ['string', 'null'], pattern: '^/' },
  },
};

/** The JSON schema (draft-07) of the Strata config file. */
export function strataConfigJsonSchema(input: StrataSchemaInput): JsonSchema {
  const stores = input.stores ?? [];
  const storeShapes = [...stores]
    .sort((a, b) => (a.schemes[0]! < b.schemes[0]! ? -1 : 1))
    .map(storeShape);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Strata configuration',
    description:
      'The Strata config file (strata.config.*, .stratarc*, package.json#strata): global settings as in nix.conf, named stores, plugins and overlay mounts.',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      stores: {
        type: 'object',
        description: 'Named stores, usable as `--store @name` and in store-URL settings.',
        propertyNames: { pattern: STORE_NAME.source },
        additionalProperties: { $ref: '#/definitions/store' },
      },
      plugins: {
        type: 'array',
        description: 'Plugin modules to load: paths relative to this file, or package names.',
        items: { type: 'string', minLength: 1 },
      },
      overlays: { type: 'array', items: OVERLAY },
      ...globalProperties(input.globalSettings),
    },
    additionalProperties: false,
    definitions: {
      storeReference: {
        description: 'A store URL, `@name` of a named store, or a store described by fields.',
        anyOf: [{ type: 'string' }, { $ref: '#/definitions/store' }],
      },
      store: {
        anyOf: [
          { type: 'string', description: 'A store URL or `@name`.' },
          urlShape(stores),
          ...storeShapes,
        ],
      },
    },
  };
}
