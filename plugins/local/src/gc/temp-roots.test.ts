import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreDir } from '@strata/core/store-path';
import { flock } from '@strata/native';
import { NIX, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openLockFile } from '../locks/lock-file.js';
import { testContext } from '../store/testing.js';
import { collectGarbage } from './collect.js';
import { deleteRealPath } from './delete-path.js';
import { gcLockPath, readTempRoots, TempRootsFile } from './temp-roots.js';
import { copyStore, lines, makeGcStore, runNix, validPaths } from './testing.js';

const test = suite('local gc: temporary roots and the GC socket');
const nixTest = requires(test, NIX);
const dir = new StoreDir('/nix/store');

let base: ReturnType<typeof tempDir> | undefined;
let fixtureRoot: string | undefined;
let copies = 0;
let fx: ReturnType<typeof makeGcStore> | undefined;

function copy(): string {
  if (fx === undefined) {
    base = tempDir('strata-gc-tr-');
    fx = makeGcStore(base.path);
    fixtureRoot = fx.root;
  }
  const dest = join(base!.path, `copy${copies++}`);
  copyStore(fixtureRoot!, dest);
  return dest;
}

test.after(() => base?.cleanup());

const state = (root: string) => ({ stateDir: join(root, 'nix/var/nix') });

/** Runs a command in the background; resolves with its exit status, stdout and stderr. */
function background(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(cmd, args, {
    env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
  return { child, done };
}

test('the temp roots file holds NUL-terminated paths, is locked, and goes away on close', async () => {
  const t = tempDir();
  try {
    const file = new TempRootsFile(state(t.path));
    await file.add('/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
    await file.add('/nix/store/y9xsr1hg3kf7xbva2dgqpagj6x6555a3-a');
    assert.is(file.path, join(t.path, `nix/var/nix/temproots/${process.pid}`));
    assert.is(
      readFileSync(file.path, 'utf8'),
      '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt\0/nix/store/y9xsr1hg3kf7xbva2dgqpagj6x6555a3-a\0',
    );
    // Locked: a reader cannot take it, so it is not stale.
    const fd = openLockFile(file.path);
    assert.not.ok(flock(fd, 'exclusive'));
    const log: string[] = [];
    const roots = readTempRoots(state(t.path), dir, log.push.bind(log));
    assert.equal(log, []);
    assert.equal(
      [...roots].map(([p, n]) => [p, [...n]]),
      [
        ['/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt', [`{temp:${process.pid}}`]],
        ['/nix/store/y9xsr1hg3kf7xbva2dgqpagj6x6555a3-a', [`{temp:${process.pid}}`]],
      ],
    );
    file.close();
    assert.not.ok(existsSync(file.path));
    assert.ok(flock(fd, 'exclusive'));
  } finally {
    t.cleanup();
  }
});

test('a stale temp roots file is removed with Nix message and marked', () => {
  const t = tempDir();
  try {
    const rootsDir = join(t.path, 'nix/var/nix/temproots');
    mkdirSync(rootsDir, { recursive: true });
    writeFileSync(join(rootsDir, '999999'), '/nix/store/y9xsr1hg3kf7xbva2dgqpagj6x6555a3-a\0');
    writeFileSync(join(rootsDir, '.keep'), '');
    const log: string[] = [];
    const roots = readTempRoots(state(t.path), dir, log.push.bind(log));
    assert.is(roots.size, 0);
    assert.equal(log, [`removing stale temporary roots file '${rootsDir}/999999'`]);
    assert.not.ok(existsSync(join(rootsDir, '999999')));
    assert.ok(existsSync(join(rootsDir, '.keep')));
  } finally {
    t.cleanup();
  }
});

nixTest('stale temp roots: same message as Nix, and they protect nothing', async () => {
  const a = copy();
  const b = copy();
  for (const root of [a, b]) {
    const f = join(root, 'nix/var/nix/temproots/4000000');
    mkdirSync(join(root, 'nix/var/nix/temproots'), { recursive: true });
    writeFileSync(f, `${fx!.hello}\0`);
  }
  const nixRun = runNix('nix-store', a, ['--gc', '--print-dead']);
  const t = testContext(b);
  const log: string[] = [];
  const result = await collectGarbage(t.ctx, { action: 'return-dead', log: (l) => log.push(l) });
  t.close();
  assert.equal(result.paths, lines(nixRun.stdout));
  assert.ok(result.paths.includes(fx!.hello));
  assert.equal(
    log.map((l) => l.split(b).join('<root>')),
    lines(nixRun.stderr).map((l) => l.split(a).join('<root>')),
  );
  assert.ok(
    log.includes(`removing stale temporary roots file '${b}/nix/var/nix/temproots/4000000'`),
  );
});

nixTest('our temp roots protect paths from Nix GC and from our GC', async () => {
  const a = copy();
  const file = new TempRootsFile(state(a));
  try {
    await file.add(fx!.hello);
    const nixRun = runNix('nix-store', a, ['--gc']);
    assert.is(nixRun.status, 0, nixRun.stderr);
    assert.ok(validPaths(a).includes(fx!.hello), 'Nix kept our temp root');
    assert.not.ok(validPaths(a).includes(fx!.dup1));
    const b = copy();
    const fileB = new TempRootsFile(state(b));
    await fileB.add(fx!.hello);
    const t = testContext(b);
    const result = await collectGarbage(t.ctx, { action: 'delete-dead' });
    t.close();
    fileB.close();
    assert.not.ok(result.paths.includes(fx!.hello));
    assert.ok(validPaths(b).includes(fx!.hello), 'we kept our own temp root');
    // The `.lock` file of a protected path is protected too (hash part match).
    assert.ok(existsSync(`${b}/nix/store/${fx!.hello.slice(11, 43)}-leftover.lock`));
  } finally {
    file.close();
  }
});

nixTest('Nix adding a path while our GC runs goes through our socket and is kept', async () => {
  const b = copy();
  const files = join(b, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'new'), 'added during gc\n');
  const t = testContext(b);
  let added: { status: number | null; stdout: string; stderr: string } | undefined;
  let selfAdded = false;
  const own = new TempRootsFile(state(b));
  const result = await collectGarbage(
    t.ctx,
    { action: 'delete-dead' },
    {
      async deleteObject(storePath, realPath) {
        if (added === undefined) {
          // Our GC holds gc.lock now: Nix must connect to our socket to register its root.
          const run = background('nix-store', ['--store', b, '--add', join(files, 'new')]);
          added = await run.done;
          // And a client in this very process is answered too.
          await own.add(fx!.rootedA);
          selfAdded = true;
        }
        assert.ok(storePath.startsWith('/nix/store/'));
        return deleteRealPath(realPath);
      },
    },
  );
  t.close();
  own.close();
  assert.ok(added, 'the hook ran');
  assert.is(added!.status, 0, added!.stderr);
  assert.ok(selfAdded);
  const newPath = added!.stdout.trim();
  assert.ok(validPaths(b).includes(newPath), 'the path Nix added is valid');
  assert.not.ok(result.paths.includes(newPath));
  assert.ok(existsSync(join(b, 'nix/store', newPath.slice(11))));
  assert.is(runNix('nix-store', b, ['--verify', '--check-contents']).status, 0);
});

nixTest('TempRootsFile.add while Nix GC holds the lock talks to Nix socket', async () => {
  const a = copy();
  const fifo = join(base!.path, `sync${copies}`);
  execFileSync('mkfifo', [fifo]);
  // Nix stops at this point with gc.lock held and its socket listening, until the fifo is written.
  const gc = background('nix-store', ['--store', a, '--gc'], { _NIX_TEST_GC_SYNC: fifo });
  const fd = openLockFile(gcLockPath(state(a)));
  while (flock(fd, 'shared')) {
    flock(fd, 'unlock');
    await sleep(20);
  }
  closeSync(fd);
  const file = new TempRootsFile(state(a));
  try {
    await file.add(fx!.hello);
    writeFileSync(fifo, 'go');
    const r = await gc.done;
    assert.is(r.status, 0, r.stderr);
    assert.ok(validPaths(a).includes(fx!.hello), 'the root sent to Nix socket protected hello');
    assert.not.ok(validPaths(a).includes(fx!.dup1));
  } finally {
    file.close();
  }
});

test.run();
