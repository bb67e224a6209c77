import { closeSync, existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { flock } from '@strata/native';
import { NIX, rejectsWith, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openLockFile } from '../locks/lock-file.js';
import type { LocalGlobals } from '../settings.js';
import { testContext } from '../store/testing.js';
import { collectGarbage, partialGcResult } from './collect.js';
import { deleteRealPath } from './delete-path.js';
import { gcSummary } from './summary.js';
import { TempRootsFile } from './temp-roots.js';
import {
  copyStore,
  type GcStore,
  lines,
  makeGcStore,
  nixOk,
  referenceRows,
  runNix,
  storeEntries,
  validPaths,
} from './testing.js';

const test = suite('local gc: collectGarbage vs nix-store --gc');
const nixTest = requires(test, NIX);

let base: ReturnType<typeof tempDir> | undefined;
let fx: GcStore | undefined;
let copies = 0;

/** A fresh copy of the fixture store (built once). */
function fixture(): { fx: GcStore; copy: () => string } {
  if (fx === undefined) {
    base = tempDir('strata-gc-');
    fx = makeGcStore(base.path);
  }
  const f = fx;
  return {
    fx: f,
    copy: () => {
      const dest = join(base!.path, `copy${copies++}`);
      copyStore(f.root, dest);
      return dest;
    },
  };
}

test.after(() => base?.cleanup());

/** Runs our collector on the store at `root`; returns the result and the log lines. */
async function ours(
  root: string,
  options: Omit<Parameters<typeof collectGarbage>[1], 'log'>,
  globals: Partial<LocalGlobals> = {},
) {
  const t = testContext(root, { globals });
  const log: string[] = [];
  try {
    const result = await collectGarbage(t.ctx, { ...options, log: (l) => log.push(l) });
    return { result, log };
  } finally {
    t.close();
  }
}

const norm = (root: string) => (line: string) => line.split(root).join('<root>');

nixTest('delete-dead: same lines, same survivors, same database as nix-store --gc', async () => {
  const { fx, copy } = fixture();
  const a = copy();
  const b = copy();
  const nixRun = runNix('nix-store', a, ['--gc']);
  assert.is(nixRun.status, 0, nixRun.stderr);
  const { result, log } = await ours(b, { action: 'delete-dead' });
  assert.equal(log.map(norm(b)), lines(nixRun.stderr).map(norm(a)));
  assert.is(gcSummary(result), nixRun.stdout.trim());
  assert.equal(storeEntries(b), storeEntries(a));
  assert.equal(validPaths(b), validPaths(a));
  assert.equal(referenceRows(b), referenceRows(a));
  // What must be kept was kept, what is garbage is gone.
  const valid = new Set(validPaths(b));
  for (const p of [fx.rootedA, fx.fileRooted, fx.withref, fx.dep, fx.built, fx.builtDrv]) {
    assert.ok(valid.has(p), `${p} kept`);
  }
  for (const p of [fx.hello, fx.oldDrv, fx.dup1, fx.dup2, fx.refersToHello]) {
    assert.not.ok(valid.has(p), `${p} deleted`);
  }
  // The two optimised copies of 260000 bytes count once, when the second one goes.
  assert.ok(result.bytesFreed > 260000n && result.bytesFreed < 2n * 260000n);
  assert.not.ok(existsSync(join(b, 'nix/var/nix/db/reserved')));
  assert.not.ok(existsSync(join(b, 'nix/var/nix/gcroots/auto/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')));
  assert.ok(lstatSync(join(b, 'nix/var/nix/gc-socket/socket')).isSocket());
  const verify = runNix('nix-store', b, ['--verify', '--check-contents']);
  assert.is(verify.status, 0);
  assert.is(verify.stderr, runNix('nix-store', a, ['--verify', '--check-contents']).stderr);
  assert.not.match(verify.stderr, /error|warning|invalid|modified/);
  // A second run finds nothing more, like Nix's.
  const again = await ours(b, { action: 'delete-dead' });
  const nixAgain = runNix('nix-store', a, ['--gc']);
  assert.equal(again.log.map(norm(b)), lines(nixAgain.stderr).map(norm(a)));
  assert.is(gcSummary(again.result), '0 store paths deleted, 0.00 MiB freed');
});

nixTest(
  'return-dead and return-live print what nix-store --print-dead/--print-live print',
  async () => {
    const { copy } = fixture();
    for (const [action, flag] of [
      ['return-dead', '--print-dead'],
      ['return-live', '--print-live'],
    ] as const) {
      const a = copy();
      const b = copy();
      const nixRun = runNix('nix-store', a, ['--gc', flag]);
      assert.is(nixRun.status, 0, nixRun.stderr);
      const { result, log } = await ours(b, { action });
      assert.equal(result.paths, lines(nixRun.stdout), action);
      assert.equal(log.map(norm(b)), lines(nixRun.stderr).map(norm(a)), action);
      // Nix 2.8 deletes the entries that are not store paths even here; valid paths stay.
      assert.equal(storeEntries(b), storeEntries(a));
      assert.equal(validPaths(b), validPaths(a));
    }
  },
);

nixTest('keep-outputs and keep-derivations=false behave as in Nix', async () => {
  const { fx, copy } = fixture();
  for (const [globals, option] of [
    [{ keepOutputs: true }, ['--option', 'keep-outputs', 'true']],
    [{ keepDerivations: false }, ['--option', 'keep-derivations', 'false']],
  ] as const) {
    const a = copy();
    const b = copy();
    const nixRun = runNix('nix-store', a, [...option, '--gc', '--print-dead']);
    const { result } = await ours(b, { action: 'return-dead' }, globals);
    assert.equal(result.paths, lines(nixRun.stdout), option.join(' '));
  }
  // keep-derivations=false: the rooted output's .drv is garbage.
  const b = copy();
  const { result } = await ours(b, { action: 'delete-dead' }, { keepDerivations: false });
  assert.ok(result.paths.includes(fx.builtDrv));
  assert.ok(validPaths(b).includes(fx.built));
});

nixTest('max-freed stops after the first deletion past the limit, as Nix', async () => {
  const { copy } = fixture();
  for (const [limit, arg] of [
    [1n, '1'],
    [300000n, '300000'],
    [0n, '0'],
  ] as const) {
    const a = copy();
    const b = copy();
    const nixRun = runNix('nix-store', a, ['--gc', '--max-freed', arg]);
    const { result, log } = await ours(b, { action: 'delete-dead', maxFreed: limit });
    assert.equal(log.map(norm(b)), lines(nixRun.stderr).map(norm(a)), arg);
    assert.is(gcSummary(result), nixRun.stdout.trim(), arg);
    assert.equal(validPaths(b), validPaths(a), arg);
    assert.equal(storeEntries(b), storeEntries(a), arg);
  }
});

nixTest('delete-specific: dead paths go, live ones are refused with Nix text', async () => {
  const { fx, copy } = fixture();
  // A live path.
  let a = copy();
  let b = copy();
  let nixRun = runNix('nix-store', a, ['--delete', fx.dep]);
  assert.is(nixRun.status, 1);
  let error: unknown;
  try {
    await ours(b, { action: 'delete-specific', paths: [fx.dep] });
  } catch (e) {
    error = e;
  }
  assert.instance(error, Error);
  assert.is((error as { code?: string }).code, 'STRATA_ERR_STORE_PATH_ALIVE');
  assert.is(`error: ${(error as Error).message}`, lines(nixRun.stderr).at(-1));
  assert.is(gcSummary(partialGcResult(error)!), nixRun.stdout.trim());
  assert.equal(validPaths(b), validPaths(a));

  // A dead path still referenced by another dead path is refused too.
  nixRun = runNix('nix-store', a, ['--delete', fx.hello]);
  assert.is(nixRun.status, 1);
  try {
    await ours(b, { action: 'delete-specific', paths: [fx.hello] });
    assert.unreachable('should refuse');
  } catch (e) {
    assert.is(`error: ${(e as Error).message}`, lines(nixRun.stderr).at(-1));
  }

  // Together with its referrer it can go; an invalid path is "deleted" too.
  a = copy();
  b = copy();
  const invalid = '/nix/store/00000000000000000000000000000000-nope';
  const paths = [fx.hello, fx.refersToHello, invalid];
  nixRun = runNix('nix-store', a, ['--delete', ...paths]);
  assert.is(nixRun.status, 0, nixRun.stderr);
  const { result, log } = await ours(b, { action: 'delete-specific', paths });
  assert.equal(log.map(norm(b)), lines(nixRun.stderr).map(norm(a)));
  assert.is(gcSummary(result), nixRun.stdout.trim());
  assert.equal(storeEntries(b), storeEntries(a));
  assert.equal(validPaths(b), validPaths(a));

  // --ignore-liveness deletes a rooted path nothing refers to.
  a = copy();
  b = copy();
  nixRun = runNix('nix-store', a, ['--delete', '--ignore-liveness', fx.rootedA]);
  assert.is(nixRun.status, 0, nixRun.stderr);
  const ignored = await ours(b, {
    action: 'delete-specific',
    paths: [fx.rootedA],
    ignoreLiveness: true,
  });
  assert.equal(ignored.log.map(norm(b)), lines(nixRun.stderr).map(norm(a)));
  assert.equal(validPaths(b), validPaths(a));
  assert.is(runNix('nix-store', b, ['--verify', '--check-contents']).status, 0);
});

nixTest('a store Strata collected is one Nix agrees has no garbage left', async () => {
  const { copy } = fixture();
  const b = copy();
  await ours(b, { action: 'delete-dead' });
  const dead = nixOk('nix-store', b, ['--gc', '--print-dead']);
  assert.is(dead, '');
});

nixTest('a root sent for a path being deleted is acknowledged after that deletion', async () => {
  const { fx, copy } = fixture();
  const b = copy();
  const t = testContext(b);
  const own = new TempRootsFile({ stateDir: join(b, 'nix/var/nix') });
  let added: Promise<void> | undefined;
  let answeredDuringDeletion = false;
  try {
    await collectGarbage(
      t.ctx,
      { action: 'delete-dead' },
      {
        async deleteObject(storePath, realPath) {
          if (storePath === fx.hello) {
            let done = false;
            added = own.add(fx.hello).then(() => {
              done = true;
            });
            await sleep(50);
            answeredDuringDeletion = done;
          }
          return deleteRealPath(realPath);
        },
      },
    );
    assert.ok(added, 'hello was deleted');
    await added;
    assert.not.ok(answeredDuringDeletion);
    // From then on its hash part is protected: its leftover lock file was kept.
    assert.ok(existsSync(`${b}/nix/store/${fx.hello.slice(11, 43)}-leftover.lock`));
  } finally {
    own.close();
    t.close();
  }
});

nixTest('waits for gc.lock with Nix message while another collector holds it', async () => {
  const { copy } = fixture();
  const b = copy();
  const fd = openLockFile(join(b, 'nix/var/nix/gc.lock'));
  assert.ok(flock(fd, 'exclusive'));
  const t = testContext(b);
  const log: string[] = [];
  const run = collectGarbage(t.ctx, { action: 'return-dead', log: (l) => log.push(l) });
  while (log.length === 0) await sleep(10);
  await sleep(50);
  // Still waiting: nothing else happened while the lock was held elsewhere.
  assert.equal(log, ['waiting for the big garbage collector lock...']);
  flock(fd, 'unlock');
  closeSync(fd);
  await run;
  t.close();
  assert.is(log[1], 'finding garbage collector roots...');
});

nixTest('a read-only store reports without touching anything, and refuses to delete', async () => {
  const { fx, copy } = fixture();
  const b = copy();
  const t = testContext(b, { readOnly: true });
  try {
    const { paths } = await collectGarbage(t.ctx, { action: 'return-dead' });
    assert.ok(paths.includes(fx.hello));
    assert.not.ok(paths.includes('/nix/store/trash'));
    assert.ok(existsSync(join(b, 'nix/store/trash')));
    assert.ok(lstatSync(join(b, 'nix/var/nix/gcroots/auto/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')));
    await rejectsWith(
      () => collectGarbage(t.ctx, { action: 'delete-dead' }),
      'STRATA_ERR_LOCALDB_READ_ONLY',
    );
    assert.ok(existsSync(join(b, 'nix/var/nix/db/reserved')));
  } finally {
    t.close();
  }
});

nixTest(
  'hundreds of small dead closures among garbage names and live paths: same as Nix',
  async () => {
    // More dead paths than one deferred batch, in closures of 1–3 paths, with garbage entries
    // between them in the directory walk and a rooted chain: the order of the lines, the
    // summary and what is left must not depend on how deletions are batched.
    const dir = tempDir('strata-gc-many-');
    try {
      const root = join(dir.path, 'base');
      const expr = `
      let
        mk = i: builtins.toFile "m\${toString i}" (
          if i - (i / 3) * 3 == 0 then "leaf \${toString i}"
          else "node \${toString i} \${builtins.elemAt paths (i - 1)}");
        paths = builtins.genList mk 800;
      in builtins.concatStringsSep "\n" paths`;
      const made = nixOk('nix', root, ['eval', '--raw', '--expr', expr]).split('\n');
      const realStore = join(root, 'nix/store');
      for (let i = 0; i < 2; i++) writeFileSync(join(realStore, `garbage-${i}.lock`), 'x');
      mkdirSync(join(root, 'nix/var/nix/gcroots'), { recursive: true });
      symlinkSync(made[200]!, join(root, 'nix/var/nix/gcroots/keep'));
      const a = join(dir.path, 'a');
      const b = join(dir.path, 'b');
      copyStore(root, a);
      copyStore(root, b);
      const nixRun = runNix('nix-store', a, ['--gc']);
      assert.is(nixRun.status, 0, nixRun.stderr);
      const { result, log } = await ours(b, { action: 'delete-dead' });
      assert.equal(log.map(norm(b)), lines(nixRun.stderr).map(norm(a)));
      assert.is(gcSummary(result), nixRun.stdout.trim());
      assert.ok(result.paths.length > 700);
      assert.equal(storeEntries(b), storeEntries(a));
      assert.equal(validPaths(b), validPaths(a));
      assert.equal(referenceRows(b), referenceRows(a));
    } finally {
      dir.cleanup();
    }
  },
);

test.run();
