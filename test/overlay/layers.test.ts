// The two layers of a local-overlay store on real mounts (spec/local-overlay.md §4.1–§4.7):
// SC-1 check-post-init, SC-2 redundant-add, SC-3 build ([no-eval] variant), SC-5 add-lower,
// SC-15 copy-up content, the copy-up order of a derivation output's closure, and imports whose
// references are valid only in the lower store. Real Nix 2.8 builds the lower stores and then
// reads the upper database as a plain store (it must accept it: `--verify --check-contents`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeClosure, hashBytes, type Store, topoSortStorePaths } from '@strata/core';
import { rejectsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exists, type OverlayEnv, overlayTest, withVolume } from './env.js';
import {
  APP,
  APP2,
  FLAT,
  LIB,
  makeGraphFixture,
  nixBuild,
  nixImport,
  sha256,
  TOOL,
} from './fixtures.js';

const test = suite('local-overlay: layers, copy-up and adds (real mounts)');
const realTest = overlayTest(test);

async function narHashOf(store: Store, path: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.narFromPath(path)) chunks.push(c);
  return hashBytes('sha256', Buffer.concat(chunks)).toString('base32');
}

/** `-q --requisites` order: references before referrers. */
async function requisites(store: Store, path: string): Promise<string[]> {
  const closure = await computeClosure(store, [path]);
  return (await topoSortStorePaths(store, closure)).reverse();
}

function nixLines(env: OverlayEnv, args: string[]): string[] {
  const out = env.nix('nix-store', args);
  return out === '' ? [] : out.split('\n');
}

realTest('FX-graph archives are byte-identical to the spec (fixture check)', () =>
  withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    const lower = readFileSync(fx.lowerExport);
    const tool = readFileSync(fx.toolClosureExport);
    assert.is(lower.length, 1048);
    assert.is(sha256(lower), '70bdfa40a7f0ee800ffaab26b5baeb5be0752bdf140e66693f0b8f610ae54361');
    assert.is(tool.length, 1152);
    assert.is(sha256(tool), '1cfb8a1bc4b2227bea8a09e4c10983041fe191d99a259c30f92c84454adbc49c');
  }),
);

realTest('SC-1: after init the overlay answers like the lower store and writes no files', () =>
  withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    nixImport(env, env.A, fx.lowerExport);
    const top = nixBuild(env, env.A, ['--arg', 'withFinalRefs', 'true']);
    const drv = env.nix('nix-store', ['--store', env.A, '-q', '--deriver', top]);
    env.mountOverlay();
    // 1.
    assert.ok(exists(join(env.A, APP)));
    assert.not.ok(exists(join(env.UP, APP.slice(11))));
    assert.equal(env.lsUp(), []);
    // 2. Every lower object reads the same through the merged dir.
    for (const name of readdirSync(join(env.A, 'nix/store')).filter((n) => !n.startsWith('.'))) {
      env.nix('diff', ['-r', join(env.A, 'nix/store', name), join(env.merged, name)]);
    }
    const store = await env.open();
    // 3. Query agreement with Nix 2.8 on the lower store.
    const q = (...args: string[]) => nixLines(env, ['--store', env.A, '-q', ...args]);
    assert.equal(await requisites(store, APP), q('--requisites', APP));
    assert.equal(await store.queryReferrers(LIB), q('--referrers', LIB).sort());
    assert.is((await store.queryPathInfo(APP)).deriver, undefined);
    assert.equal(q('--deriver', APP), ['unknown-deriver']);
    assert.equal(await requisites(store, drv), q('--requisites', drv));
    assert.is((await store.queryPathInfo(top)).deriver, drv);
    assert.equal(await store.queryDerivationOutputs(drv), q('--outputs', drv));
    assert.equal(await store.queryValidDerivers(top), [drv]);
    // 4. Hash-part lookup.
    assert.is(await store.queryPathFromHashPart('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'), APP);
    assert.is(await store.queryPathFromHashPart(top.slice(11, 43)), top);
    // 5. verify-path: the NAR read through the overlay has the recorded hash.
    for (const p of [APP, LIB, top, drv, FLAT.dummy.path]) {
      assert.ok(await store.isValidPath(p));
      assert.is(
        await narHashOf(store, p),
        (await store.queryPathInfo(p)).narHash.toString('base32'),
      );
      env.nix('nix-store', ['--store', env.A, '--verify-path', p]);
    }
    // 6. Queries wrote no files into the upper layer.
    assert.equal(env.lsUp(), []);
    await env.closeAll();
    // The upper DB (copied-up closures) is a store Nix 2.8 accepts.
    env.nix('nix-store', ['--store', env.ROOT, '--verify', '--check-contents']);
    assert.equal(nixLines(env, ['--store', env.ROOT, '-q', '--outputs', drv]), q('--outputs', drv));
  }),
);

realTest('SC-2: adding a path valid in the lower store writes no files, copies the row up', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const store = await env.open();
    const lowerBefore = readFileSync(join(env.A, FLAT.dummy.path));
    const info = await store.addToStore(env.file('dummy', FLAT.dummy.content));
    assert.is(info.path, FLAT.dummy.path);
    assert.not.ok(exists(join(env.UP, FLAT.dummy.path.slice(11))));
    assert.equal(env.lsUp(), []);
    assert.equal(readFileSync(join(env.A, FLAT.dummy.path)), lowerBefore);
    await env.closeAll();
    const cols = 'hash, registrationTime, deriver, narSize, ultimate, sigs, ca';
    const where = `where path = '${FLAT.dummy.path}'`;
    const upper = env.sql(env.ROOT, `select ${cols} from ValidPaths ${where}`);
    assert.equal(upper, env.sql(env.A, `select ${cols} from ValidPaths ${where}`));
    assert.is(
      upper[0]?.[0],
      'sha256:7c75a4fcd9f1f128b5b5f818c39e292e61f2a99a31bdce872915311f26628851',
    );
    assert.is(upper[0]?.[3], '128');
    assert.is(upper[0]?.[6], 'fixed:r:sha256:0lc8c8k1yc8m563wxg9ikalz4q9f56gc667qnnsjiwgiv7ya8xbw');
  }),
);

realTest('SC-3 [no-eval]: importing a build writes only what the lower store lacks', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    const lowerTop = nixBuild(env, env.A, ['--arg', 'withFinalRefs', 'true']);
    const scratch = join(env.VOL, 'scratch');
    const out = nixBuild(env, scratch, ['--arg', 'seed', '2']);
    const drv = env.nix('nix-store', ['--store', scratch, '-q', '--deriver', out]);
    const closure = nixLines(env, ['--store', scratch, '-qR', '--include-outputs', drv]);
    const archive = join(env.VOL, 'seed2.export');
    env.nix('sh', [
      '-c',
      `nix-store --store ${scratch} --export ${closure.join(' ')} > ${archive}`,
    ]);
    env.mountOverlay();
    const store = await env.open();
    await env.importInto(store, archive);
    const name = (p: string) => p.slice(11);
    assert.not.ok(exists(join(env.A, out)));
    assert.ok(exists(join(env.UP, name(out))));
    assert.is(
      await narHashOf(store, out),
      (await store.queryPathInfo(out)).narHash.toString('base32'),
    );
    // In the upper layer: exactly the closure members the lower store does not have.
    const lowerHas = new Set(
      nixLines(env, ['--store', env.A, '-qR', '--include-outputs', lowerTop]),
    );
    const lowerDrvs = nixLines(env, [
      '--store',
      env.A,
      '-qR',
      env.nix('nix-store', ['--store', env.A, '-q', '--deriver', lowerTop]),
    ]);
    for (const p of lowerDrvs) lowerHas.add(p);
    const expected = closure
      .filter((p) => !lowerHas.has(p))
      .map(name)
      .sort();
    assert.ok(expected.some((n) => n.endsWith('-hermetic-input-1')));
    assert.ok(expected.some((n) => n.endsWith('-hermetic.drv')));
    assert.not.ok(expected.some((n) => n.includes('-hermetic-input-2')));
    assert.equal(env.lsUp(), expected);
    assert.equal(await store.queryDerivationOutputs(drv), [out]);
    await env.closeAll();
    env.nix('nix-store', ['--store', env.ROOT, '--verify', '--check-contents']);
  }),
);

realTest('SC-5: objects added to the lower store while mounted are seen after a remount', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const store = await env.open();
    const file = FLAT['overlay-file'];
    const added = await store.addToStore(env.file('overlay-file', file.content));
    assert.is(added.path, file.path);
    assert.ok(exists(join(env.merged, file.path.slice(11))));
    assert.ok(exists(join(env.UP, file.path.slice(11))));
    await env.closeAll();
    const lower = FLAT['lower-file'];
    assert.is(env.nixAdd(env.A, 'lower-file', lower.content), lower.path);
    env.remount();
    assert.ok(exists(join(env.merged, lower.path.slice(11))));
    const again = await env.open();
    assert.is(
      (await again.queryPathInfo(lower.path)).narHash.toString('base32'),
      'sha256:1sy7myl0mqvbyrzbi4165yivjacdvdlg0a9rdnbzbzcxc4ld1988',
    );
    assert.not.ok(exists(join(env.UP, lower.path.slice(11))));
  }),
);

realTest(
  'SC-15: a validity check copies up exactly the closure; queryPathInfo copies nothing',
  () =>
    withVolume(async (env) => {
      const fx = makeGraphFixture(env);
      nixImport(env, env.A, fx.lowerExport);
      env.mountOverlay();
      const store = await env.open();
      assert.ok(await store.isValidPath(APP));
      await store.queryPathInfo(APP2);
      await env.closeAll();
      assert.equal(env.sql(env.ROOT, 'select id, path from ValidPaths order by id'), [
        ['1', LIB],
        ['2', APP],
      ]);
      assert.equal(env.sql(env.ROOT, 'select referrer, reference from Refs'), [['2', '1']]);
      const cols = 'path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca';
      assert.equal(
        env.sql(env.ROOT, `select ${cols} from ValidPaths order by path`),
        env.sql(
          env.A,
          `select ${cols} from ValidPaths where path in ('${LIB}', '${APP}') order by path`,
        ),
      );
      assert.equal(env.lsUp(), []);
      assert.equal(nixLines(env, ['--store', env.ROOT, '-q', '--referrers', LIB]), [APP]);
    }),
);

realTest(
  'copy-up of a derivation output: references first, in name order, rows equal to the lower ones',
  () =>
    withVolume(async (env) => {
      const top = nixBuild(env, env.A, ['--arg', 'withFinalRefs', 'true']);
      const refs = nixLines(env, ['--store', env.A, '-q', '--references', top]);
      assert.is(refs.length, 3);
      env.mountOverlay();
      const store = await env.open();
      assert.ok(await store.isValidPath(top));
      await env.closeAll();
      const rows = env
        .sql(env.ROOT, 'select id, path from ValidPaths order by id')
        .map((r) => r[1]);
      // Post-order of a depth-first walk over references sorted by name (spec §4.3).
      const expected: string[] = [];
      const visit = (p: string) => {
        if (expected.includes(p)) return;
        for (const r of nixLines(env, ['--store', env.A, '-q', '--references', p]).sort()) {
          if (r !== p) visit(r);
        }
        expected.push(p);
      };
      visit(top);
      assert.equal(rows, expected);
      const cols = 'path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca';
      const list = expected.map((p) => `'${p}'`).join(',');
      assert.equal(
        env.sql(env.ROOT, `select ${cols} from ValidPaths order by path`),
        env.sql(env.A, `select ${cols} from ValidPaths where path in (${list}) order by path`),
      );
      assert.equal(env.lsUp(), []);
      env.nix('nix-store', ['--store', env.ROOT, '--verify', '--check-contents']);
    }),
);

realTest('an import whose references are valid only in the lower store copies them up (§4.6)', () =>
  withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    nixImport(env, env.A, fx.lowerExport);
    env.mountOverlay();
    const onlyTool = join(env.VOL, 'tool-only.export');
    env.nix('sh', ['-c', `nix-store --store ${env.VOL}/fixture --export ${TOOL} > ${onlyTool}`]);
    const store = await env.open();
    await env.importInto(store, fx.toolClosureExport.replace('tool-closure', 'tool-only'));
    assert.equal(env.lsUp(), [TOOL.slice(11)]);
    assert.equal(await store.queryReferrers(LIB), [APP, APP2, TOOL]);
    await env.closeAll();
    assert.equal(
      env.sql(env.ROOT, 'select path from ValidPaths order by id').map((r) => r[0]),
      [LIB, APP, TOOL],
    );
    env.nix('nix-store', ['--store', env.ROOT, '--verify', '--check-contents']);
  }),
);

realTest('importing a path whose reference is valid nowhere fails and adds nothing', () =>
  withVolume(async (env) => {
    makeGraphFixture(env);
    env.mountOverlay();
    const onlyTool = join(env.VOL, 'tool-only.export');
    env.nix('sh', ['-c', `nix-store --store ${env.VOL}/fixture --export ${TOOL} > ${onlyTool}`]);
    const store = await env.open();
    await rejectsWith(
      () => env.importInto(store, onlyTool),
      'STRATA_ERR_STORE_REFERENCE_NOT_VALID',
      `cannot add path '${TOOL}' because its reference '${LIB}' is not valid`,
    );
    assert.not.ok(await store.isValidPath(TOOL));
  }),
);

realTest('signing a lower-only path copies it up first and never touches the lower store', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const lowerRows = env.sql(env.A, 'select path, sigs from ValidPaths');
    const store = await env.open();
    await store.addSignatures(FLAT.dummy.path, ['test-1:c2lnbmF0dXJl']);
    assert.equal((await store.queryPathInfo(FLAT.dummy.path)).sigs, ['test-1:c2lnbmF0dXJl']);
    await env.closeAll();
    assert.equal(env.sql(env.A, 'select path, sigs from ValidPaths'), lowerRows);
    assert.equal(env.sql(env.ROOT, 'select path, sigs from ValidPaths'), [
      [FLAT.dummy.path, 'test-1:c2lnbmF0dXJl'],
    ]);
  }),
);

realTest('auto-optimise-store is off in overlay stores: no hard links through the merged dir', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const store = await env.open(env.url(), { 'auto-optimise-store': true });
    const dir = join(env.VOL, 'tree');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a'), FLAT.dummy.content);
    writeFileSync(join(dir, 'b'), FLAT.dummy.content);
    const added = await store.addToStore(dir);
    assert.equal(env.lsUp(), [added.path.slice(11)]);
    const linksDir = join(env.UP, '.links');
    assert.equal(exists(linksDir) ? readdirSync(linksDir) : [], []);
  }),
);

test.run();
