// Deleting from a local-overlay store on real mounts (spec/local-overlay.md §4.10–§4.14):
// SC-6 delete-refs, SC-7 delete-duplicate (remount hook), SC-8 gc, SC-9 verify and repair,
// SC-10 optimise, SC-11 stale file handle, and the remount hook failing or missing. The lower
// store is never changed by the overlay, and no whiteout ever appears in the upper layer.
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isStrataError } from '@strata/core';
import { rejectsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { partialGcResult } from '../../plugins/local/src/gc/collect.js';
import { exists, makeWritable, type OverlayEnv, overlayTest, withVolume } from './env.js';
import { APP, APP2, FLAT, LIB, makeGraphFixture, nixImport, TOOL } from './fixtures.js';

const test = suite('local-overlay: gc, delete, optimise, verify (real mounts)');
const realTest = overlayTest(test);

const name = (p: string) => p.slice('/nix/store/'.length);

/** The hook script of §5.1, which also records each call in `<VOL>/hook.log`. */
function hookScript(env: OverlayEnv, exitCode = 0): string {
  const path = join(env.VOL, exitCode === 0 ? 'remount.sh' : 'failing-remount.sh');
  writeFileSync(
    path,
    exitCode === 0
      ? `#!/bin/sh\necho "$@" >> ${env.VOL}/hook.log\nLIBMOUNT_FORCE_MOUNT2=always mount -o remount "$1"\n`
      : `#!/bin/sh\necho "$@" >> ${env.VOL}/hook.log\nexit ${exitCode}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

function hookCalls(env: OverlayEnv): string[] {
  const log = join(env.VOL, 'hook.log');
  return exists(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

function listStore(root: string): string[] {
  return readdirSync(join(root, 'nix/store')).sort();
}

realTest('SC-6: delete-refs — GC referrers are the upper DB only; lower objects stay', () =>
  withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    nixImport(env, env.A, fx.lowerExport);
    env.mountOverlay();
    await env.importInto(await env.open(), fx.toolClosureExport);
    await env.closeAll(); // the import's temporary roots go with its store
    assert.equal(env.lsUp(), [name(TOOL)]);
    const lowerBefore = listStore(env.A);
    const store = await env.open();
    // 1.
    for (const p of [LIB, APP]) {
      await rejectsWith(
        () => store.deleteStorePaths([p]),
        'STRATA_ERR_STORE_PATH_ALIVE',
        `Cannot delete path '${p}' since it is still alive. To find out why, use: nix-store --query --roots`,
      );
    }
    // 2.
    assert.is(env.nixRun('nix-store', ['--store', env.A, '--delete', LIB]).status, 1);
    // 3.
    const deleted = await store.deleteStorePaths([TOOL]);
    assert.equal(deleted.paths, [TOOL]);
    assert.not.ok(exists(join(env.UP, name(TOOL))));
    assert.not.ok(exists(join(env.merged, name(TOOL))));
    assert.equal(env.whiteouts(), []);
    // 4.
    await store.deleteStorePaths([APP]);
    assert.ok(exists(join(env.A, APP)));
    assert.ok(exists(join(env.merged, name(APP))));
    assert.equal(env.whiteouts(), []);
    assert.is(
      (await store.queryPathInfo(APP)).narHash.toString('base32'),
      'sha256:1h4d6cbzj80xjk80571givabzd547m2p9myv3kg5rld4qwf4q2yw',
    );
    // 5.
    await store.deleteStorePaths([LIB]);
    assert.equal(listStore(env.A), lowerBefore);
    assert.equal(env.whiteouts(), []);
    // 6.
    assert.is(env.nixRun('nix-store', ['--store', env.A, '--delete', LIB]).status, 1);
    assert.ok(await store.isValidPath(LIB));
  }),
);

realTest('SC-7: a path in both layers is deleted in the upper layer; the hook runs once', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    const dup = FLAT.dupfile;
    const store = await env.open();
    assert.is((await store.addToStore(env.file('dupfile', dup.content))).path, dup.path);
    await env.closeAll();
    assert.is(env.nixAdd(env.A, 'dupfile', dup.content), dup.path);
    const merged = join(env.merged, name(dup.path));
    const upper = join(env.UP, name(dup.path));
    const lower = join(env.A, dup.path);
    assert.is(env.ino(merged), env.ino(upper));
    assert.is.not(env.ino(merged), env.ino(lower));
    const hooked = await env.open(env.url(`&remount-hook=${hookScript(env)}`));
    const lines: string[] = [];
    const r = await hooked.deleteStorePaths([dup.path], { log: (l) => lines.push(l) });
    assert.equal(r.paths, [dup.path]);
    assert.equal(hookCalls(env), [env.merged]);
    assert.not.ok(exists(upper));
    assert.equal(env.whiteouts(), []);
    assert.is(env.ino(merged), env.ino(lower));
    assert.ok(await hooked.isValidPath(dup.path));
    assert.not.ok(lines.some((l) => l.includes('needs remounting')));
  }),
);

realTest('SC-7 without a hook: the "needs remounting" warning, once per operation', () =>
  withVolume(async (env) => {
    env.mountOverlay();
    const dup = FLAT.dupfile;
    await (await env.open()).addToStore(env.file('dupfile', dup.content));
    await env.closeAll();
    env.nixAdd(env.A, 'dupfile', dup.content);
    const store = await env.open();
    const lines: string[] = [];
    await store.deleteStorePaths([dup.path], { log: (l) => lines.push(l) });
    assert.equal(
      lines.filter((l) => l.startsWith('warning:')),
      [`warning: "${env.merged}" needs remounting, set remount-hook to do this automatically`],
    );
    // Until a remount the merged name shows the deleted upper inode with link count 0.
    assert.not.ok(exists(join(env.UP, name(dup.path))));
    env.remount();
    assert.is(env.ino(join(env.merged, name(dup.path))), env.ino(join(env.A, dup.path)));
    // Without a log the warning goes to the store's warn channel.
    await (await env.open()).addToStore(env.file('dupfile', dup.content)); // valid: no-op
    assert.equal(env.whiteouts(), []);
  }),
);

realTest(
  'the remount hook failing or missing fails the operation clearly; the store stays consistent',
  () =>
    withVolume(async (env) => {
      env.mountOverlay();
      const dup = FLAT.dupfile;
      await (await env.open()).addToStore(env.file('dupfile', dup.content));
      await env.closeAll();
      env.nixAdd(env.A, 'dupfile', dup.content);
      const failing = hookScript(env, 3);
      const store = await env.open(env.url(`&remount-hook=${failing}`));
      const failed = await rejectsWith(
        () => store.deleteStorePaths([dup.path]),
        'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_FAILED',
        `program "${failing}" failed with exit code 3`,
      );
      // What was deleted before the hook failed is still reported (the CLI's summary line).
      assert.equal(partialGcResult(failed)?.paths, [dup.path]);
      assert.equal(hookCalls(env), [env.merged]);
      assert.not.ok(exists(join(env.UP, name(dup.path))));
      assert.equal(env.whiteouts(), []);
      assert.ok(await store.isValidPath(dup.path));
      // The flag stayed set: the next operation tries the hook again.
      await rejectsWith(() => store.optimise(), 'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_FAILED');
      assert.is(hookCalls(env).length, 2);
      env.remount();
      assert.is(env.ino(join(env.merged, name(dup.path))), env.ino(join(env.A, dup.path)));
      const verified = await (await env.open()).verify({ checkContents: true });
      assert.equal(verified, { errors: false, messages: [] });

      await (await env.open()).addToStore(env.file('dup-file', FLAT['dup-file'].content));
      await env.closeAll();
      env.nixAdd(env.A, 'dup-file', FLAT['dup-file'].content);
      const missing = join(env.VOL, 'no-such-hook');
      const withMissing = await env.open(env.url(`&remount-hook=${missing}`));
      await rejectsWith(
        () => withMissing.deleteStorePaths([FLAT['dup-file'].path]),
        'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_UNRUNNABLE',
        `cannot run program "${missing}": No such file or directory`,
      );
      assert.ok(await withMissing.isValidPath(FLAT['dup-file'].path));
      assert.equal(env.whiteouts(), []);
    }),
);

realTest('SC-8: gc — roots, live and dead sets, lower objects never deleted', () =>
  withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    nixImport(env, env.A, fx.lowerExport);
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    await env.importInto(await env.open(), fx.toolClosureExport);
    await env.closeAll();
    const gcroots = join(env.ROOT, 'nix/var/nix/gcroots');
    mkdirSync(gcroots, { recursive: true });
    symlinkSync(TOOL, join(gcroots, 'foo'));
    const lowerBefore = listStore(env.A);
    const store = await env.open();
    // 1. and 2.
    const roots = await store.findRoots();
    assert.equal([...roots.keys()], [TOOL]);
    assert.equal(roots.get(TOOL), [join(gcroots, 'foo')]);
    const live = (await store.collectGarbage({ action: 'return-live' })).paths;
    for (const p of [TOOL, APP, LIB]) assert.ok(live.includes(p), p);
    const dead = (await store.collectGarbage({ action: 'return-dead' })).paths;
    assert.not.ok(dead.includes(TOOL));
    assert.ok(dead.includes(APP2));
    assert.ok(dead.includes(FLAT.dummy.path));
    // 3.
    await rejectsWith(() => store.deleteStorePaths([TOOL]), 'STRATA_ERR_STORE_PATH_ALIVE');
    assert.ok(exists(join(env.merged, name(TOOL))));
    // 4.
    const gc = await store.collectGarbage({ action: 'delete-dead' });
    assert.ok(gc.paths.includes(APP2));
    assert.ok(gc.paths.includes(FLAT.dummy.path));
    assert.not.ok(gc.paths.includes(TOOL));
    for (const p of [TOOL, APP, LIB, APP2, FLAT.dummy.path]) {
      assert.ok(exists(join(env.merged, name(p))), p);
    }
    assert.ok(exists(join(env.A, APP2)));
    assert.equal(env.whiteouts(), []);
    assert.ok(await store.isValidPath(APP2)); // valid again through the lower store
    // 5.
    rmSync(join(gcroots, 'foo'));
    await store.collectGarbage({ action: 'delete-dead' });
    assert.not.ok(exists(join(env.merged, name(TOOL))));
    assert.equal(env.lsUp(), []);
    assert.equal(listStore(env.A), lowerBefore);
    assert.equal(env.whiteouts(), []);
    assert.ok(
      env.warnings.every((w) => !w.includes('needs remounting')),
      env.warnings.join('\n'),
    );
  }),
);

realTest('gc on names that are not store paths: the same three-way rule, never a whiteout', () =>
  withVolume(async (env) => {
    writeFileSync(join(env.A, 'nix/store/lower-junk.lock'), '');
    writeFileSync(join(env.A, 'nix/store/both-junk'), 'lower');
    env.mountOverlay();
    writeFileSync(join(env.merged, 'upper-junk'), 'upper');
    writeFileSync(join(env.UP, 'both-junk'), 'upper'); // as if written before the mount
    env.remount();
    const store = await env.open();
    const lines: string[] = [];
    await store.collectGarbage({ action: 'delete-dead', log: (l) => lines.push(l) });
    assert.not.ok(exists(join(env.UP, 'upper-junk')));
    assert.not.ok(exists(join(env.UP, 'both-junk')));
    assert.ok(exists(join(env.A, 'nix/store/lower-junk.lock')));
    assert.ok(exists(join(env.A, 'nix/store/both-junk')));
    assert.equal(env.whiteouts(), []);
    assert.ok(
      lines.includes(
        `warning: "${env.merged}" needs remounting, set remount-hook to do this automatically`,
      ),
    );
    env.remount();
    assert.is(readFileSync(join(env.merged, 'both-junk'), 'utf8'), 'lower');
  }),
);

realTest('SC-9: verify checks upper-DB paths only; repair writes into the upper layer', () =>
  withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    nixImport(env, env.A, fx.lowerExport);
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.nixAdd(env.A, 'lower-only', FLAT['lower-only'].content);
    env.mountOverlay();
    const setup = await env.open();
    await env.importInto(setup, fx.toolClosureExport);
    await setup.addToStore(env.file('dummy', FLAT.dummy.content));
    // 1.
    assert.equal(await setup.verify({ checkContents: true }), { errors: false, messages: [] });
    await env.closeAll();
    // 2. A backup store holding lib and dummy (a copy of the overlay root, as upstream).
    const backup = join(env.VOL, 'backup');
    mkdirSync(backup);
    env.nix('cp', ['-a', join(env.ROOT, 'nix'), `${backup}/`]);
    // 3. Damage the lower layer directly.
    makeWritable(join(env.A, LIB));
    rmSync(join(env.A, LIB), { recursive: true });
    for (const p of [FLAT.dummy.path, FLAT['lower-only'].path]) {
      chmodSync(join(env.A, p), 0o644);
      truncateSync(join(env.A, p), 0);
    }
    env.remount();
    // 4.
    const damaged = await env.open();
    const r = await damaged.verify({ checkContents: true });
    assert.ok(r.errors);
    assert.ok(
      r.messages.includes(`path '${LIB}' disappeared, but it still has valid referrers!`),
      r.messages.join('\n'),
    );
    assert.ok(
      r.messages.includes(
        `path '${FLAT.dummy.path}' was modified! expected hash 'sha256:0lc8c8k1yc8m563wxg9ikalz4q9f56gc667qnnsjiwgiv7ya8xbw', got 'sha256:0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p'`,
      ),
      r.messages.join('\n'),
    );
    assert.not.ok(
      r.messages.some((m) => m.includes('1ak5xryfl21pgnmw1ws7mgwixqjkzjdv-lower-only')),
    );
    await env.closeAll();
    // 5. Repair from the backup.
    const repairing = await env.open(env.url('&require-sigs=false'), {
      substituters: [`local?root=${backup}`],
    });
    const lines: string[] = [];
    const repaired = await repairing.verify({
      checkContents: true,
      repair: true,
      log: (l) => lines.push(l),
    });
    assert.not.ok(repaired.errors, repaired.messages.join('\n'));
    assert.equal(env.lsUp(), [name(FLAT.dummy.path), name(LIB), name(TOOL)].sort());
    assert.equal(env.whiteouts(), []);
    assert.is((await import('node:fs')).statSync(join(env.UP, name(LIB))).mode & 0o7777, 0o555);
    assert.is(
      (await import('node:fs')).statSync(join(env.UP, name(FLAT.dummy.path))).mode & 0o7777,
      0o444,
    );
    assert.not.ok(exists(join(env.A, LIB))); // the lower store stays damaged
    assert.equal(await repairing.verify({ checkContents: true }), { errors: false, messages: [] });
  }),
);

realTest('SC-10: optimise removes upper copies of lower-valid paths and warns to remount', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const dup = FLAT['dup-file'];
    assert.is(
      (await (await env.open()).addToStore(env.file('dup-file', dup.content))).path,
      dup.path,
    );
    await env.closeAll();
    env.nixAdd(env.A, 'dup-file', dup.content);
    env.remount();
    const upper = join(env.UP, name(dup.path));
    const merged = join(env.merged, name(dup.path));
    const lower = join(env.A, dup.path);
    assert.is(env.ino(upper), env.ino(merged));
    assert.is.not(env.ino(merged), env.ino(lower));
    const store = await env.open();
    const lines: string[] = [];
    const r = await store.optimise({ log: (l) => lines.push(l) });
    assert.equal(r.filesLinked, 0);
    assert.ok(r.bytesFreed > 0n);
    assert.equal(lines, [
      `warning: "${env.merged}" needs remounting, set remount-hook to do this automatically`,
    ]);
    env.remount();
    assert.ok(exists(lower));
    assert.ok(exists(merged));
    assert.not.ok(exists(upper));
    assert.equal(env.whiteouts(), []);
    assert.is(env.ino(merged), env.ino(lower));
    assert.equal(await store.queryAllValidPaths(), [dup.path]);
  }),
);

/** Sequence T of SC-11; returns the error of step 5, if any. */
async function sequenceT(env: OverlayEnv, fx: ReturnType<typeof makeGraphFixture>, hook?: string) {
  const url = hook === undefined ? env.url() : env.url(`&remount-hook=${hook}`);
  await env.importInto(await env.open(url), fx.toolClosureExport); // 1.
  await env.closeAll();
  nixImport(env, env.A, fx.lowerExport); // 2.
  await (await env.open(url)).collectGarbage({ action: 'delete-dead' }); // 3.
  await env.closeAll();
  env.nix('nix-store', ['--store', env.A, '--gc']); // 4.
  try {
    await env.importInto(await env.open(url), fx.toolClosureExport); // 5.
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await env.closeAll();
  }
}

realTest('SC-11: stale file handles without a remount; the hook prevents them', async () => {
  await withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    env.mountOverlay();
    const error = await sequenceT(env, fx);
    if (error === undefined) {
      process.stdout.write(
        '# note: SC-11 could not provoke ESTALE on this kernel (as upstream, not asserted)\n',
      );
    } else {
      assert.ok(isStrataError(error), String(error));
      assert.match(error.message, new RegExp(`cannot unlink '${env.merged}/${name(LIB)}'`));
      // ESTALE (116 on Linux). Node has no name for it, so the text is Nix's `Stale file
      // handle` only where the errno → strerror table knows the number.
      assert.is((error.cause as { errno?: number }).errno, -116, error.message);
    }
  });
  await withVolume(async (env) => {
    const fx = makeGraphFixture(env);
    env.mountOverlay();
    assert.is(await sequenceT(env, fx, hookScript(env)), undefined);
    assert.equal(env.lsUp(), [name(LIB), name(APP), name(TOOL)].sort());
    assert.ok(hookCalls(env).length >= 1);
  });
});

test.run();
