// Core's conformance kit against the local store: a fresh chroot store, a chroot store with
// its own logical store dir, and a read-only one (which must refuse writes cleanly).
import { StoreRegistry } from '@strata/core';
import { storeConformanceTests } from '@strata/core/conformance';
import { tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import localPlugin from '../index.js';

const registry = new StoreRegistry();
registry.register(localPlugin);
const dir = tempDir();

for (const url of [
  `local?root=${encodeURIComponent(`${dir.path}/a`)}`,
  `local?root=${encodeURIComponent(`${dir.path}/b`)}&store=/strata/store`,
  `${dir.path}/c`,
]) {
  const test = suite(`conformance ${url}`);
  storeConformanceTests(test, { registry, url });
  test.run();
}
process.on('exit', () => dir.cleanup());
