// Core's store conformance kit against a local-overlay store on a real mount (a lower local
// store made by Nix 2.8 with one object), as test/registry runs it for memory:// and layer://.
import { storeConformanceTests } from '@strata/core/conformance';
import { NIX, ROOT } from '@strata/test-support';
import { suite } from 'uvu';
import { mountVolume, OVERLAYFS, OverlayEnv, releaseVolume } from './env.js';
import { FLAT } from './fixtures.js';

const test = suite('conformance local-overlay://');
const missing = [ROOT, OVERLAYFS, NIX].map((r) => r.check()).find((r) => r !== null);

if (missing) {
  process.stdout.write(`# skip: local-overlay conformance — ${missing}\n`);
  test.skip('local-overlay conformance', () => {});
} else {
  const vol = mountVolume('strata-overlay-conformance-');
  const env = new OverlayEnv(vol);
  test.after(() => releaseVolume(vol));
  try {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
  } catch (e) {
    releaseVolume(vol);
    throw e;
  }
  storeConformanceTests(test, {
    registry: env.registry,
    url: env.url('&require-sigs=false'),
    openOptions: env.openOptions(),
  });
}

test.run();
