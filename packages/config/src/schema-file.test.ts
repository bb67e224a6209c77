import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GLOBAL_SETTINGS } from './global-settings.js';
import { settingTypeJsonSchema, strataConfigJsonSchema } from './json-schema.js';
import {
  SCHEMA_FILE,
  schemaFileText,
  WORKSPACE_ROOT,
  workspaceStoreSchemas,
} from './schema-file.js';

const test = suite('JSON schema of the Strata config file');

test('schema/strata.schema.json is up to date (regenerate with scripts/generate-schema.ts)', async () => {
  assert.is(readFileSync(SCHEMA_FILE, 'utf8'), await schemaFileText());
});

test('every global setting, alias and extra- form is a property; nothing else is', () => {
  const schema = strataConfigJsonSchema({ globalSettings: GLOBAL_SETTINGS }) as {
    properties: Record<string, { $ref?: string }>;
    additionalProperties: boolean;
  };
  const p = schema.properties;
  for (const def of GLOBAL_SETTINGS) {
    assert.ok(p[def.name], def.name);
    for (const a of def.aliases ?? []) assert.is(p[a]!.$ref, `#/properties/${def.name}`);
  }
  assert.is(p['extra-binary-caches']!.$ref, '#/properties/substituters');
  assert.is(p['extra-experimental-features']!.$ref, '#/properties/experimental-features');
  assert.is(p['extra-cores'], undefined);
  assert.is(schema.additionalProperties, false);
  assert.ok(p.stores && p.plugins && p.overlays && p.$schema);
});

test('each workspace store becomes one shape of a named store', async () => {
  const stores = await workspaceStoreSchemas(WORKSPACE_ROOT);
  const schema = strataConfigJsonSchema({ globalSettings: [], stores }) as {
    definitions: { store: { anyOf: Array<{ properties?: Record<string, unknown> }> } };
  };
  // A URL string, a `url` object, then one object per store implementation.
  assert.is(schema.definitions.store.anyOf.length, 2 + stores.length);
  const shapes = schema.definitions.store.anyOf.slice(2);
  stores.forEach((s, i) => {
    assert.equal(shapes[i]!.properties!.scheme, {
      enum: [...s.schemes],
      description: 'The store type.',
    });
    for (const def of s.settings) assert.ok(shapes[i]!.properties![def.name], def.name);
  });
});

test('value schemas accept the native form and the nix.conf text', () => {
  assert.equal(settingTypeJsonSchema({ kind: 'bool' }), {
    anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', 'yes', 'no', '1', '0'] }],
  });
  assert.equal(settingTypeJsonSchema({ kind: 'int', min: 0, max: 10 }), {
    anyOf: [
      { type: 'integer', minimum: 0, maximum: 10 },
      { type: 'string', pattern: '^\\+?[0-9]+[KMGTkmgt]?$' },
    ],
  });
  assert.equal(settingTypeJsonSchema({ kind: 'enum', values: ['true', 'false', 'relaxed'] }), {
    anyOf: [{ enum: ['true', 'false', 'relaxed'] }, { type: 'boolean' }],
  });
});

test.run();
