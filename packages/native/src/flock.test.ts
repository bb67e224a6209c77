import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStrataError } from '@strata/core';
import { NIX, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { flock, flockAsync } from './flock.js';
import { flockCommandHolder, nodeHolder } from './test-helpers.js';

const test = suite('flock');
const dir = tempDir('strata-native-');
test.after(() => dir.cleanup());

let n = 0;
/** A fresh lock file and a new open file description on it. */
function lockFile(): { path: string; fd: number } {
  const path = join(dir.path, `lock-${n++}`);
  return { path, fd: openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600) };
}
const reopen = (path: string) => openSync(path, constants.O_RDWR);

function throwsCode(fn: () => unknown, code: string, message: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isStrataError(e), `not a StrataError: ${e}`);
    assert.is(e.code, code);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('exclusive and shared between open file descriptions of one process', () => {
  const { path, fd } = lockFile();
  const other = reopen(path);
  assert.is(flock(fd, 'exclusive'), true);
  assert.is(flock(other, 'shared'), false);
  assert.is(flock(other, 'exclusive'), false);
  assert.is(flock(fd, 'exclusive'), true, 're-locking the same description is a no-op');
  assert.is(flock(fd, 'shared'), true, 'downgrade in place');
  assert.is(flock(other, 'shared'), true, 'shared with shared');
  assert.is(flock(fd, 'exclusive'), false, 'cannot upgrade while another shares');
  assert.is(flock(other, 'unlock'), true);
  assert.is(flock(fd, 'exclusive'), true, 'upgrade once alone');
  closeSync(fd);
  assert.is(flock(other, 'exclusive'), true, 'closing the last descriptor releases');
  closeSync(other);
});

test('a child process holding an exclusive lock excludes shared and exclusive', async () => {
  const { path, fd } = lockFile();
  const holder = await nodeHolder(path, 'exclusive');
  try {
    assert.is(flock(fd, 'shared'), false);
    assert.is(flock(fd, 'exclusive'), false);
  } finally {
    await holder.release();
  }
  assert.is(flock(fd, 'exclusive'), true, 'free once the holder exited');
  closeSync(fd);
});

test('a child process holding a shared lock admits shared, excludes exclusive', async () => {
  const { path, fd } = lockFile();
  const holder = await nodeHolder(path, 'shared');
  try {
    assert.is(flock(fd, 'exclusive'), false);
    assert.is(flock(fd, 'shared'), true);
    assert.is(flock(fd, 'unlock'), true);
  } finally {
    await holder.release();
  }
  assert.is(flock(fd, 'exclusive'), true);
  closeSync(fd);
});

test('our locks exclude a child process', async () => {
  const { path, fd } = lockFile();
  assert.is(flock(fd, 'exclusive'), true);
  const probe = (mode: string) =>
    spawnSync(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs'); const a = require(process.argv[1]);
         const fd = fs.openSync(process.argv[2], 'r+');
         process.stdout.write(String(a.flock(fd, process.argv[3] === 'shared' ? 1 : 2, false)));`,
        new URL('../build/Release/strata_native.node', import.meta.url).pathname,
        path,
        mode,
      ],
      { encoding: 'utf8' },
    ).stdout;
  assert.is(probe('shared'), 'false');
  assert.is(flock(fd, 'shared'), true);
  assert.is(probe('shared'), 'true');
  assert.is(probe('exclusive'), 'false');
  closeSync(fd);
  assert.is(probe('exclusive'), 'true');
});

test('interoperates with util-linux flock(1): its exclusive lock excludes ours', async () => {
  const { path, fd } = lockFile();
  const holder = await flockCommandHolder(path, 'exclusive');
  try {
    assert.is(flock(fd, 'exclusive'), false);
    assert.is(flock(fd, 'shared'), false);
  } finally {
    await holder.release();
  }
  assert.is(flock(fd, 'exclusive'), true);
  closeSync(fd);
});

test('interoperates with util-linux flock(1): its shared lock admits shared only', async () => {
  const { path, fd } = lockFile();
  const holder = await flockCommandHolder(path, 'shared');
  try {
    assert.is(flock(fd, 'exclusive'), false);
    assert.is(flock(fd, 'shared'), true);
  } finally {
    await holder.release();
  }
  assert.is(flock(fd, 'exclusive'), true);
  closeSync(fd);
});

test('interoperates with util-linux flock(1): ours exclude it', () => {
  const { path, fd } = lockFile();
  const tryLock = (flag: string) => spawnSync('flock', ['-n', flag, path, 'true']).status;
  assert.is(flock(fd, 'exclusive'), true);
  assert.is(tryLock('-s'), 1);
  assert.is(tryLock('-x'), 1);
  assert.is(flock(fd, 'shared'), true);
  assert.is(tryLock('-s'), 0);
  assert.is(tryLock('-x'), 1);
  assert.is(flock(fd, 'unlock'), true);
  assert.is(tryLock('-x'), 0);
  closeSync(fd);
});

test('flock with wait blocks until granted (free lock: at once)', () => {
  const { fd } = lockFile();
  assert.is(flock(fd, 'exclusive', { wait: true }), true);
  closeSync(fd);
});

test('flockAsync waits on the thread pool while timers keep firing', async () => {
  const { path, fd } = lockFile();
  const holder = await nodeHolder(path, 'exclusive');
  let granted = false;
  const waiting = flockAsync(fd, 'exclusive').then(() => {
    granted = true;
  });
  // The timer firing at all proves the event loop runs during the wait; it then releases.
  const timerFired = await new Promise<boolean>((resolve) => {
    setTimeout(() => {
      resolve(!granted);
    }, 50);
  });
  assert.ok(timerFired, 'the timer fired while the lock was still being waited for');
  const probe = reopen(path);
  assert.is(flock(probe, 'shared'), false, 'the holder still holds it');
  await holder.release();
  await waiting;
  assert.ok(granted);
  assert.is(flock(probe, 'shared'), false, 'now we hold it exclusively');
  closeSync(fd);
  assert.is(flock(probe, 'shared'), true);
  closeSync(probe);
});

test('flockAsync resolves at once for a free lock and converts modes', async () => {
  const { path, fd } = lockFile();
  await flockAsync(fd, 'shared');
  const other = reopen(path);
  assert.is(flock(other, 'shared'), true);
  assert.is(flock(other, 'exclusive'), false);
  await flockAsync(fd, 'unlock');
  assert.is(flock(other, 'exclusive'), true);
  closeSync(fd);
  closeSync(other);
});

test('errors: bad descriptors and modes', async () => {
  const { fd } = lockFile();
  closeSync(fd);
  throwsCode(
    () => flock(fd, 'exclusive'),
    'STRATA_ERR_NATIVE_FLOCK',
    'acquiring/releasing lock: Bad file descriptor',
  );
  throwsCode(() => flock(-1, 'shared'), 'STRATA_ERR_NATIVE_BAD_FD', "invalid file descriptor '-1'");
  throwsCode(
    () => flock(1.5, 'shared'),
    'STRATA_ERR_NATIVE_BAD_FD',
    "invalid file descriptor '1.5'",
  );
  throwsCode(
    () => flock(0, 'read' as never),
    'STRATA_ERR_NATIVE_BAD_LOCK_MODE',
    "invalid lock mode 'read' (expected 'shared', 'exclusive' or 'unlock')",
  );
  throwsCode(
    () => flock(0, 'toString' as never),
    'STRATA_ERR_NATIVE_BAD_LOCK_MODE',
    "invalid lock mode 'toString' (expected 'shared', 'exclusive' or 'unlock')",
  );
  try {
    await flockAsync(fd, 'exclusive');
    assert.unreachable('flockAsync on a closed fd must reject');
  } catch (e) {
    assert.ok(isStrataError(e, 'STRATA_ERR_NATIVE_FLOCK'));
    assert.is((e as Error).message, 'acquiring/releasing lock: Bad file descriptor');
    assert.is(((e as Error).cause as { code?: string }).code, 'EBADF');
  }
});

// Against real Nix 2.8, on a chroot store: its locks and ours exclude each other.
const nixTest = requires(test, NIX);

function nixStore(): { root: string; state: string } {
  const root = join(dir.path, `store-${n++}`);
  const file = join(dir.path, `hello-${n++}.txt`);
  writeFileSync(file, 'Hello, world!\n');
  const r = spawnSync('nix-store', ['--store', root, '--add', file], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return { root, state: join(root, 'nix/var/nix') };
}

nixTest('nix-store --gc waits for our exclusive gc.lock', async () => {
  const { root, state } = nixStore();
  const fd = openSync(join(state, 'gc.lock'), constants.O_RDWR);
  assert.is(flock(fd, 'exclusive'), true);
  const { spawn } = await import('node:child_process');
  const gc = spawn('nix-store', ['--store', root, '--gc'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => gc.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    gc.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('waiting for the big garbage collector lock...')) resolve();
    });
    gc.on('exit', () => reject(new Error(`nix-store --gc did not wait: ${stderr}`)));
  });
  assert.is(gc.exitCode, null, 'the collector is still waiting');
  assert.not.match(stderr, 'deleting garbage');
  flock(fd, 'unlock');
  assert.is(await exit, 0, stderr);
  assert.match(stderr, 'deleting garbage...');
  closeSync(fd);
});

nixTest(
  "a running Nix's shared big lock admits our shared lock and excludes exclusive",
  async () => {
    const { root, state } = nixStore();
    const { spawn } = await import('node:child_process');
    // `nix-store --serve` opens the store (taking the big lock shared) and waits for commands.
    const serve = spawn('nix-store', ['--store', root, '--serve'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exit = new Promise<void>((resolve) => serve.on('exit', () => resolve()));
    const fd = openSync(join(state, 'db/big-lock'), constants.O_RDWR);
    try {
      // The store is opened asynchronously to us: wait (without a timing assumption) until it is.
      while (flock(fd, 'exclusive')) {
        flock(fd, 'unlock');
        assert.is(serve.exitCode, null, 'nix-store --serve exited early');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.is(flock(fd, 'shared'), true);
      assert.is(flock(fd, 'unlock'), true);
    } finally {
      serve.stdin.end();
      await exit;
    }
    assert.is(flock(fd, 'exclusive'), true, 'free once Nix exited');
    closeSync(fd);
  },
);

test.run();
