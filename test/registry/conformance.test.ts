// The conformance kit against the test-only memory plugin (loaded by import() from its file,
// as a third-party plugin is), against a layer over it, and against the built-in dummy store.
import { fileURLToPath } from 'node:url';
import { loadPlugins, StoreRegistry } from '@strata/core';
import { storeConformanceTests } from '@strata/core/conformance';
import { suite } from 'uvu';
import dummyPlugin from '../../plugins/dummy/src/index.js';

const plugins = fileURLToPath(new URL('../plugins/', import.meta.url));
const registry = new StoreRegistry();
registry.register(dummyPlugin);
await loadPlugins(registry, [
  {
    specifier: './memory/index.ts',
    origin: { kind: 'config-file', file: `${plugins}strata.config.yaml` },
  },
  {
    specifier: './layer/index.ts',
    origin: { kind: 'config-file', file: `${plugins}strata.config.yaml` },
  },
]);

for (const url of [
  'memory://',
  'memory://?store=/tmp/strata-conformance-store',
  'layer://?lower-store=memory://',
  'dummy://',
]) {
  const test = suite(`conformance ${url}`);
  storeConformanceTests(test, { registry, url });
  test.run();
}
