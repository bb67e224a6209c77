import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NIX, rejectsWith, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testContext } from '../store/testing.js';
import { addPermRoot, findRoots, indirectRootPath, printRoots } from './roots.js';
import { TempRootsFile } from './temp-roots.js';
import { copyStore, lines, makeGcStore, nixOk, runNix } from './testing.js';

const test = suite('local gc: roots');
const nixTest = requires(test, NIX);

let base: ReturnType<typeof tempDir> | undefined;
let fx: ReturnType<typeof makeGcStore> | undefined;
let copies = 0;

function copy(): string {
  if (fx === undefined) {
    base = tempDir('strata-gc-roots-');
    fx = makeGcStore(base.path);
  }
  const dest = join(base!.path, `copy${copies++}`);
  copyStore(fx.root, dest);
  return dest;
}

test.after(() => base?.cleanup());

test('the indirect root of a link is gcroots/auto/<nix32(sha1(link))> (spec vector)', () => {
  const ctx = { locations: { stateDir: '/nix/var/nix' } } as Parameters<typeof indirectRootPath>[0];
  assert.is(
    indirectRootPath(ctx, '/home/alice/result'),
    '/nix/var/nix/gcroots/auto/x6xcakh6pmsprh9372j47cndyciwzqqy',
  );
});

test('printRoots sorts by root name, then path', () => {
  const roots = new Map([
    ['/nix/store/b', ['/z', '/a']],
    ['/nix/store/a', ['/z']],
  ]);
  assert.equal(printRoots(roots), [
    '/a -> /nix/store/b',
    '/z -> /nix/store/a',
    '/z -> /nix/store/b',
  ]);
});

nixTest(
  'findRoots matches nix-store --gc --print-roots, runtime and temp roots included',
  async () => {
    const a = copy();
    const b = copy();
    // A process whose environment names a valid path is a runtime root; a temp root file too.
    // The path is unique to this run: other tests' collectors see the process as well.
    const unique = join(base!.path, `runtime-${process.pid}`);
    writeFileSync(unique, `${Date.now()} ${Math.random()}\n`);
    const runtimePath = nixOk('nix-store', a, ['--add', unique]);
    assert.is(nixOk('nix-store', b, ['--add', unique]), runtimePath);
    const sleeper = spawn('sleep', ['60'], { env: { FOO: `x:${runtimePath}/bin:y` } });
    const temp = new TempRootsFile({ stateDir: join(b, 'nix/var/nix') });
    const tempA = new TempRootsFile({ stateDir: join(a, 'nix/var/nix') });
    try {
      await temp.add(fx!.dup1);
      await tempA.add(fx!.dup1);
      await sleep(50);
      const nixRun = runNix('nix-store', a, ['--gc', '--print-roots']);
      assert.is(nixRun.status, 0, nixRun.stderr);
      const t = testContext(b);
      const log: string[] = [];
      const roots = findRoots(t.ctx, { log: (l) => log.push(l) });
      t.close();
      const norm = (root: string) => (l: string) => l.split(root).join('<root>');
      assert.equal(printRoots(roots).map(norm(b)), lines(nixRun.stdout).map(norm(a)));
      assert.equal(log.map(norm(b)), lines(nixRun.stderr).map(norm(a)));
      const printed = printRoots(roots);
      assert.ok(printed.includes(`/proc/${sleeper.pid}/environ -> ${runtimePath}`));
      assert.ok(printed.includes(`{temp:${process.pid}} -> ${fx!.dup1}`));
      assert.ok(printed.includes(`${b}/nix/var/nix/gcroots/myroot -> ${fx!.rootedA}`));
      assert.ok(printed.includes(`${b}/nix/var/nix/profiles/p-1-link -> ${fx!.withref}`));
      const fileRoot = `${b}/nix/var/nix/gcroots/${fx!.fileRooted.slice(11)}`;
      assert.ok(printed.includes(`${fileRoot} -> ${fx!.fileRooted}`));
      assert.ok(printed.includes(`${base!.path}/result -> ${fx!.built}`));
      // Without runtime roots, the process is not seen.
      const t2 = testContext(b);
      const noRuntime = printRoots(findRoots(t2.ctx, { runtime: false }));
      t2.close();
      assert.not.ok(noRuntime.some((l) => l.startsWith('/proc/')));
    } finally {
      sleeper.kill();
      temp.close();
      tempA.close();
    }
  },
);

nixTest('addPermRoot makes the same links as nix-store --add-root --indirect', async () => {
  const a = copy();
  const b = copy();
  const linkA = join(a, 'links/sub/r');
  const linkB = join(b, 'links/sub/r');
  const r = runNix('nix-store', a, ['--add-root', linkA, '--indirect', '--realise', fx!.hello]);
  assert.is(r.status, 0, r.stderr);
  const t = testContext(b);
  try {
    assert.is(await addPermRoot(t.ctx, fx!.hello, `${b}/links/./sub/../sub/r`), linkB);
    assert.is(readlinkSync(linkB), readlinkSync(linkA));
    const autoA = indirectRootPath(
      { locations: { stateDir: join(a, 'nix/var/nix') } } as never,
      linkA,
    );
    const autoB = indirectRootPath(t.ctx, linkB);
    assert.is(readlinkSync(autoA), linkA, 'Nix made the link our function names');
    assert.is(readlinkSync(autoB), linkB);
    assert.ok(t.tempRoots.has(fx!.hello), 'the path was protected first');
    // Replacing an existing root link is allowed.
    assert.is(await addPermRoot(t.ctx, fx!.dup1, linkB), linkB);
    assert.is(readlinkSync(linkB), fx!.dup1);
    // Collecting keeps the rooted path.
    assert.ok(printRoots(findRoots(t.ctx, { runtime: false })).includes(`${linkB} -> ${fx!.dup1}`));
  } finally {
    t.close();
  }
});

nixTest('addPermRoot refusals have Nix texts', async () => {
  const a = copy();
  const t = testContext(a);
  try {
    const inStore = '/nix/store/foo-result';
    const nixIn = runNix('nix-store', a, ['--add-root', inStore, '--indirect', '-r', fx!.hello]);
    await rejectsWith(
      () => addPermRoot(t.ctx, fx!.hello, inStore),
      'STRATA_ERR_LOCAL_GC_ROOT_IN_STORE',
      lines(nixIn.stderr)
        .at(-1)!
        .replace(/^error: /, ''),
    );
    const file = join(a, 'plain');
    writeFileSync(file, 'not a link');
    const nixExists = runNix('nix-store', a, ['--add-root', file, '--indirect', '-r', fx!.hello]);
    assert.is(nixExists.status, 1);
    await rejectsWith(
      () => addPermRoot(t.ctx, fx!.hello, file),
      'STRATA_ERR_LOCAL_GC_ROOT_EXISTS',
      lines(nixExists.stderr)
        .at(-1)!
        .replace(/^error: /, ''),
    );
    mkdirSync(join(a, 'outside'));
    const outside = join(a, 'outside/l');
    writeFileSync(join(a, 'outside/target'), '');
    // A symlink that points outside the store is not replaced either.
    symlinkSync(join(a, 'outside/target'), outside);
    await rejectsWith(
      () => addPermRoot(t.ctx, fx!.hello, outside),
      'STRATA_ERR_LOCAL_GC_ROOT_EXISTS',
    );
    assert.ok(lstatSync(outside).isSymbolicLink());
    assert.not.ok(existsSync(indirectRootPath(t.ctx, outside)));
  } finally {
    t.close();
  }
});

test.run();
