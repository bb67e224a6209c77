import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StoreImplementation } from '../registry/plugin.js';
import { describeStores, describeStoresJson, describeStoresText } from './describe.js';
import { extendSchema, STORE_SETTINGS } from './store-settings.js';

const test = suite('describe');

const impl: StoreImplementation = {
  name: 'Example Store',
  schemes: ['ex', 'ample'],
  authority: 'none',
  experimentalFeature: 'local-overlay-store',
  settings: extendSchema(STORE_SETTINGS, [
    {
      name: 'big',
      type: { kind: 'size' },
      default: 9223372036854775807n,
      description: 'A big number.\n\n',
      aliases: ['huge'],
      experimentalFeature: 'read-only-local-store',
    },
  ]),
  capabilities: ['write'],
  doc: 'An example.',
  urlFormats: ['ex://', 'ample://'],
  open: () => {
    throw new Error('not opened');
  },
};

test('text layout of spec §6.3', () => {
  const text = describeStoresText(
    describeStores([{ implementation: impl, plugin: 'p' }], { env: {} }),
  );
  assert.ok(
    text.startsWith(`## Example Store

schemes: ample ex
url format: \`ex://\`, \`ample://\`
experimental feature: local-overlay-store

An example.

### big

A big number.

default: 9223372036854775807
type: uint64
experimental feature: read-only-local-store

aliases: ["huge"]

### path-info-cache-size

`),
    text,
  );
  assert.ok(
    text.endsWith(
      '### want-mass-query\n\nWhether the store answers many validity queries at once efficiently.\n\ndefault: false\ntype: bool\n\n',
    ),
  );
  assert.ok(text.includes('default: machine-specific\ntype: string set\n'));
});

test('JSON: master’s store object plus types; gated values hidden unless enabled', () => {
  const docs = describeStores([{ implementation: impl, plugin: 'p' }], {
    env: { NIX_STORE_DIR: '/s' },
  });
  const off = describeStoresJson(docs) as Record<
    string,
    { settings: Record<string, Record<string, unknown>> }
  >;
  const store = off['Example Store']!;
  assert.equal(store.settings.big, {
    aliases: ['huge'],
    defaultValue: 9223372036854775807n,
    description: 'A big number.\n',
    documentDefault: true,
    experimentalFeature: 'read-only-local-store',
    type: 'uint64',
    value: null,
  });
  assert.is(store.settings.store!.defaultValue, '/s');
  const on = describeStoresJson(docs, ['read-only-local-store']) as typeof off;
  assert.is(on['Example Store']!.settings.big!.value, 9223372036854775807n);
});

test.run();
