import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type PathInfo, StoreRegistry } from '@strata/core';
import { hashBytes } from '@strata/core/hash';
import { encodeNar } from '@strata/core/nar';
import { generateSecretKey, makePathInfo, signPathInfo } from '@strata/core/path-info';
import type { Store } from '@strata/core/store';
import { NIX, nix, nixFails, ROOT, rejectsWith, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import localPlugin from '../index.js';
import { registrationRows } from './testing.js';

const test = suite('local store');
const nixTest = requires(test, NIX);
const rootTest = requires(test, ROOT);
const registry = new StoreRegistry();
registry.register(localPlugin);

async function open(root: string, params = ''): Promise<Store> {
  return registry.openStore(`local?root=${encodeURIComponent(root)}${params}`, {
    env: {},
    features: ['read-only-local-store'],
  });
}

/** Every file under `dir` with its type, mode, size and mtime: proves "nothing changed". */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    // Temporary roots are the open store's own state (gone when it closes), not store contents.
    // So are SQLite's WAL files: their contents are compared through the rows.
    if (p.includes('/temproots/') || /-(wal|shm)$/.test(p)) return;
    out.push(`${p.slice(dir.length)} ${st.mode.toString(8)} ${st.isDirectory() ? '' : st.size}`);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
  };
  walk(dir);
  return out;
}

/**
 * Runs `body` in a separate Node process (as another user, or to be killed), with `s` the
 * local store at `root` opened through a registry; its output.
 */
function inChild(
  root: string,
  body: string,
  options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv },
) {
  const script = `
    const { StoreRegistry } = await import('@strata/core');
    const { default: p } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).pathname)});
    const r = new StoreRegistry(); r.register(p);
    const s = await r.openStore(${JSON.stringify(`local?root=${encodeURIComponent(root)}`)}, { env: {} });
    ${body}`;
  return spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { ...options, encoding: 'utf8', cwd: new URL('../../../..', import.meta.url).pathname },
  );
}

function makeTree(dir: string): string {
  const t = join(dir, 'tree');
  mkdirSync(join(t, 'sub/empty'), { recursive: true });
  writeFileSync(join(t, 'a.txt'), 'hello\n');
  writeFileSync(join(t, 'sub/run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  writeFileSync(join(t, 'empty-file'), '');
  symlinkSync('a.txt', join(t, 'link'));
  symlinkSync('/nonexistent/target', join(t, 'dangling'));
  return t;
}

test('opening a store that does not exist creates nothing and reads as empty', async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'missing');
    const store = await open(root);
    assert.is(await store.isValidPath('/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x'), false);
    assert.equal(await store.queryAllValidPaths(), []);
    await rejectsWith(
      () => store.queryPathInfo('/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x'),
      'STRATA_ERR_STORE_NOT_VALID',
      "path '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x' is not valid",
    );
    await store.close();
    assert.is(existsSync(root), false);
  } finally {
    t.cleanup();
  }
});

test("a store root that is a file: Nix's 'is not a directory', for queries and adds", async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'afile');
    writeFileSync(root, 'x');
    const store = await open(root);
    const message = `'${root}' is not a directory`;
    await rejectsWith(
      () => store.isValidPath('/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x'),
      'STRATA_ERR_LOCAL_NOT_A_DIRECTORY',
      message,
    );
    await rejectsWith(
      () => store.addTextToStore('x', 'y'),
      'STRATA_ERR_LOCAL_NOT_A_DIRECTORY',
      message,
    );
    await store.close();
    assert.equal(readdirSync(t.path), ['afile']);
  } finally {
    t.cleanup();
  }
});

test("read-only=true without the read-only-local-store feature: Nix's error, nothing written", async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    const store = await open(root);
    await store.addTextToStore('seed', 'seed');
    await store.close();
    const before = snapshot(root);
    await rejectsWith(
      () =>
        registry.openStore(`local?root=${encodeURIComponent(root)}&read-only=true`, { env: {} }),
      'STRATA_ERR_FEATURE_DISABLED',
      "experimental Nix feature 'read-only-local-store' is disabled; add '--extra-experimental-features read-only-local-store' to enable it",
    );
    assert.equal(snapshot(root), before);
  } finally {
    t.cleanup();
  }
});

nixTest(
  'adds files, trees and text to the paths Nix gives them; Nix verifies the store clean',
  async () => {
    const t = tempDir();
    try {
      const root = join(t.path, 'r');
      const tree = makeTree(t.path);
      const file = join(t.path, 'hello.txt');
      writeFileSync(file, 'Hello World!\n');
      const store = await open(root);
      const f = await store.addToStore(file);
      const d = await store.addToStore(tree, { name: 'my-tree' });
      const flat = await store.addToStore(file, { method: 'flat' });
      const flatSha1 = await store.addToStore(file, { method: 'flat', hashAlgorithm: 'sha1' });
      const text = await store.addTextToStore('note', `uses ${d.path}\n`, [d.path]);
      const scanned = await store.addToStore(file, {
        name: 'scanned',
        referenceCandidates: [d.path, f.path],
      });
      await store.close();
      assert.equal(scanned.references, []);

      const other = join(t.path, 'nix');
      const nixAdd = (args: string[]) => nix('nix-store', ['--store', other, ...args]);
      assert.is(f.path, nixAdd(['--add', file]));
      assert.is(flat.path, nixAdd(['--add-fixed', 'sha256', file]));
      assert.is(flatSha1.path, nixAdd(['--add-fixed', 'sha1', file]));
      assert.is(
        text,
        nix('nix', [
          'eval',
          '--raw',
          '--impure',
          '--store',
          other,
          '--expr',
          `builtins.toFile "note" "uses \${builtins.path { path = ${tree}; name = "my-tree"; }}\\n"`,
        ]),
      );
      assert.is(
        d.path,
        nix('nix', [
          'eval',
          '--raw',
          '--impure',
          '--store',
          other,
          '--expr',
          `builtins.path { path = ${tree}; name = "my-tree"; }`,
        ]),
      );

      const r = nixFails('nix-store', ['--store', root, '--verify', '--check-contents']);
      assert.is(r.status, 0, r.stderr);
      assert.is(
        r.stderr,
        'reading the Nix store...\nchecking path existence...\nchecking link hashes...\nchecking store hashes...\n',
      );
      for (const p of [f.path, d.path, flat.path, flatSha1.path, text, scanned.path]) {
        const q = (flag: string) => nix('nix-store', ['--store', root, '-q', flag, p]);
        const ours = await open(root);
        const info = await ours.queryPathInfo(p);
        assert.is(q('--hash'), info.narHash.toString('base32'));
        assert.is(q('--size'), String(info.narSize));
        assert.is(q('--references'), info.references.join('\n'));
        assert.is(q('--referrers'), (await ours.queryReferrers(p)).join('\n'));
        await ours.close();
      }
      // Canonical metadata, as Nix leaves it.
      const real = join(root, d.path);
      assert.is(statSync(real).mode & 0o7777, 0o555);
      assert.is(statSync(join(real, 'a.txt')).mode & 0o7777, 0o444);
      assert.is(statSync(join(real, 'sub/run.sh')).mode & 0o7777, 0o555);
      assert.is(statSync(join(real, 'sub/empty')).mode & 0o7777, 0o555);
      assert.is(lstatSync(join(real, 'link')).mtimeMs, 1000);
      assert.is(statSync(join(real, 'a.txt')).mtimeMs, 1000);
      assert.is(readlinkSync(join(real, 'dangling')), '/nonexistent/target');
      // The layout of §5.2.
      assert.is(readFileSync(join(root, 'nix/var/nix/db/schema'), 'utf8'), '10');
      assert.is(statSync(join(root, 'nix/var/nix/db/reserved')).size, 8388608);
      assert.is(
        readlinkSync(join(root, 'nix/var/nix/gcroots/profiles')),
        join(root, 'nix/var/nix/profiles'),
      );
      assert.ok(statSync(join(root, 'nix/store/.links')).isDirectory());
      assert.equal(
        readdirSync(join(root, 'nix/store')).filter(
          (n) => n.includes('-strata-tmp') || n.endsWith('.lock'),
        ),
        [],
      );
    } finally {
      t.cleanup();
    }
  },
);

nixTest('reads a store Nix 2.8 wrote: info, references, referrers, derivers, outputs', async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    const a = nix('nix', ['eval', '--raw', '--store', root, '--expr', 'builtins.toFile "a" "x"']);
    const b = nix('nix', [
      'eval',
      '--raw',
      '--store',
      root,
      '--expr',
      `builtins.toFile "b" "\${builtins.toFile "a" "x"}"`,
    ]);
    const drv = nix('nix-instantiate', [
      '--store',
      root,
      '--expr',
      'derivation { name = "d"; system = "x"; builder = "/bin/sh"; outputs = ["out" "dev"]; }',
    ]);
    const store = await open(root);
    const all = nix('nix-store', ['--store', root, '-q', '--requisites', a, b, drv])
      .split('\n')
      .sort();
    assert.equal(await store.queryAllValidPaths(), all);
    assert.equal((await store.queryPathInfo(b)).references, [a]);
    assert.equal(await store.queryReferrers(a), [b]);
    const outs = await store.queryDerivationOutputs(drv);
    assert.is(outs.length, 2);
    const json = JSON.parse(nix('nix', ['path-info', '--json', '--store', root, b]))[0];
    const info = await store.queryPathInfo(b);
    assert.is(info.narHash.toString('sri'), json.narHash);
    assert.is(info.narSize, json.narSize);
    await store.close();
  } finally {
    t.cleanup();
  }
});

function narOf(data: string): { nar: Uint8Array; info: PathInfo } {
  const bytes = Buffer.from(data);
  const nar = encodeNar([
    { type: 'regular', executable: false, size: bytes.length },
    { type: 'contents', data: bytes },
    { type: 'regular-end' },
  ]);
  const info = makePathInfo({
    path: '/nix/store/0n0wg9d2j9ljmlcgc2wbnr86bcwcc8id-imported',
    narHash: hashBytes('sha256', nar),
    narSize: nar.length,
    references: [],
  });
  return { nar, info };
}

async function* once(b: Uint8Array) {
  yield b;
}

test('addNar: signatures under require-sigs, hash and size mismatches leave the store as it was', async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    const store = await open(root);
    await store.addTextToStore('seed', 'seed'); // the layout exists; now prove nothing changes
    const before = [snapshot(root), registrationRows(root)];
    const { nar, info } = narOf('imported contents');
    await rejectsWith(
      () => store.addNar(info, once(nar)),
      'STRATA_ERR_STORE_LACKS_SIGNATURE',
      `cannot add path '${info.path}' because it lacks a valid signature`,
    );
    const wrong = { ...info, narHash: hashBytes('sha256', 'other') };
    await rejectsWith(
      () => store.addNar(wrong, once(nar), { checkSigs: false }),
      'STRATA_ERR_STORE_NAR_HASH_MISMATCH',
    );
    await rejectsWith(
      () => store.addNar({ ...info, narSize: 7 }, once(nar), { checkSigs: false }),
      'STRATA_ERR_STORE_NAR_SIZE_MISMATCH',
    );
    await rejectsWith(
      () => store.addNar(info, once(nar.subarray(0, 40)), { checkSigs: false }),
      'STRATA_ERR_NAR_UNEXPECTED_EOF',
    );
    assert.equal([snapshot(root), registrationRows(root)], before);
    await store.close();

    const key = generateSecretKey('test-key-1');
    const signed = { ...info, sigs: [signPathInfo(info, key)] };
    const trusting = await registry.openStore(`local?root=${encodeURIComponent(root)}`, {
      env: {},
      globals: new Map([
        [
          'trusted-public-keys',
          { value: [key.toPublicKey().toString()], origin: { kind: 'default' } } as never,
        ],
      ]),
    });
    await trusting.addNar(signed, once(nar));
    assert.equal((await trusting.queryPathInfo(info.path)).sigs, signed.sigs);
    await trusting.close();
  } finally {
    t.cleanup();
  }
});

test('bad sources: missing, socket inside, invalid name — an error and nothing changes', async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    const store = await open(root);
    await store.addTextToStore('seed', 'seed');
    const before = [snapshot(root), registrationRows(root)];
    const missing = join(t.path, 'nope');
    await rejectsWith(
      () => store.addToStore(missing),
      'STRATA_ERR_IO_NOT_FOUND',
      `getting status of '${missing}': No such file or directory`,
    );
    const withSocket = join(t.path, 'sock-tree');
    mkdirSync(withSocket);
    writeFileSync(join(withSocket, 'a'), 'a');
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(withSocket, 's'), r));
    try {
      await rejectsWith(
        () => store.addToStore(withSocket),
        'STRATA_ERR_IO_UNSUPPORTED_TYPE',
        `file '${join(withSocket, 's')}' has an unsupported type`,
      );
    } finally {
      server.close();
    }
    await rejectsWith(
      () => store.addToStore(join(withSocket, 'a'), { name: 'bad name' }),
      'STRATA_ERR_STORE_PATH_BAD_NAME_CHAR',
    );
    await rejectsWith(
      () => store.addToStore(withSocket, { method: 'flat' }),
      'STRATA_ERR_IO_FAILED',
    );
    assert.equal([snapshot(root), registrationRows(root)], before);
    await store.close();
  } finally {
    t.cleanup();
  }
});

nixTest(
  'a .drv whose outputs do not follow from its hash is refused as Nix refuses it; nothing added',
  async () => {
    const t = tempDir();
    try {
      const out = '/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple';
      const text = (outPath: string, envPath: string) =>
        `Derive([("out","${outPath}","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo hello > $out"],[("builder","/bin/sh"),("name","simple"),("out","${envPath}"),("system","x86_64-linux")])`;
      const cases = [
        ['simple.drv', text(out, out), undefined],
        ['simple.drv', text(out, `${out}x`), 'STRATA_ERR_DRV_BAD_ENV'],
        ['other.drv', text(out, out), 'STRATA_ERR_DRV_BAD_OUTPUT'],
        ['odd.drv', 'Derive([("out"', 'STRATA_ERR_DRV_PARSE'],
        ['none.drv', 'Derive([],[],[],"s","b",[],[])', 'STRATA_ERR_DRV_TYPE'],
      ] as const;
      for (const [i, [name, contents, code]] of cases.entries()) {
        const src = join(t.path, String(i));
        mkdirSync(src);
        const file = join(src, name);
        writeFileSync(file, contents);
        const root = join(t.path, `s${i}`);
        const store = await open(root);
        await store.addTextToStore('seed', 'seed');
        const before = [snapshot(root), registrationRows(root)];
        const nixRoot = join(t.path, `n${i}`);
        if (code === undefined) {
          const added = await store.addToStore(file, { name, method: 'recursive' });
          assert.is(added.path, nix('nix-store', ['--store', nixRoot, '--add', file]));
          assert.equal(await store.queryDerivationOutputs(added.path), [out]);
        } else {
          const nixSays = nixFails('nix-store', ['--store', nixRoot, '--add', file]).stderr;
          const e = await rejectsWith(
            () => store.addToStore(file, { name, method: 'recursive' }),
            code,
          );
          assert.is(`error: ${e.message}\n`, nixSays, name);
          assert.equal([snapshot(root), registrationRows(root)], before, name);
        }
        await store.close();
      }
    } finally {
      t.cleanup();
    }
  },
);

nixTest('bad databases: newer schema, corrupt file; Nix says the same', async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    nix('nix-store', ['--store', root, '--add', '/etc/hostname']);
    writeFileSync(join(root, 'nix/var/nix/db/schema'), '11');
    const store = await open(root);
    const e = await rejectsWith(
      () => store.queryAllValidPaths(),
      'STRATA_ERR_LOCALDB_SCHEMA_TOO_NEW',
    );
    assert.ok(
      nixFails('nix-store', [
        '--store',
        root,
        '-q',
        '--hash',
        '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x',
      ]).stderr.includes(e.message),
    );
    await store.close();
    writeFileSync(join(root, 'nix/var/nix/db/schema'), '10');
    writeFileSync(
      join(root, 'nix/var/nix/db/db.sqlite'),
      'garbage, not a database at all, long enough to have a header',
    );
    const again = await open(root);
    await rejectsWith(() => again.queryAllValidPaths(), 'STRATA_ERR_LOCALDB_SQLITE');
    await again.close();
  } finally {
    t.cleanup();
  }
});

nixTest(
  'read-only: reads a Nix store, refuses writes, changes nothing (db dir unwritable too)',
  async () => {
    const t = tempDir();
    try {
      const root = join(t.path, 'r');
      const p = nix('nix-store', ['--store', root, '--add', '/etc/hostname']);
      const dbDir = join(root, 'nix/var/nix/db');
      // Nix 2.8 removes the WAL files on close; a read-only open must not bring them back.
      assert.equal(
        readdirSync(dbDir).filter((n) => /-(wal|shm)$/.test(n)),
        [],
      );
      const dbFiles = readdirSync(dbDir).sort();
      const before = snapshot(root);
      chmodSync(dbDir, 0o555);
      const store = await open(root, '&read-only=true');
      assert.ok(await store.isValidPath(p));
      assert.is((await store.queryPathInfo(p)).path, p);
      await rejectsWith(() => store.addTextToStore('x', 'y'), 'STRATA_ERR_LOCAL_READ_ONLY');
      await store.close();
      chmodSync(dbDir, 0o755);
      assert.equal(readdirSync(dbDir).sort(), dbFiles);
      assert.equal(snapshot(root), before);
    } finally {
      t.cleanup();
    }
  },
);

rootTest(
  'a full disk: one clear error, the store unchanged; the reserve never takes the last space',
  async () => {
    const t = tempDir();
    const vol = join(t.path, 'vol');
    mkdirSync(vol);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', vol]);
    let store: Store | undefined;
    try {
      const root = join(vol, 'r');
      store = await open(root);
      await store.addTextToStore('seed', 'seed');
      const reserved = join(root, 'nix/var/nix/db/reserved');
      assert.is(statSync(reserved).size, 8 << 20, 'the 8 MiB reserve');
      const before = [snapshot(root), registrationRows(root)];
      const big = join(t.path, 'big');
      writeFileSync(big, Buffer.alloc(12 << 20, 7));
      for (const method of ['recursive', 'flat'] as const) {
        const e = await rejectsWith(
          () => store!.addToStore(big, { method }),
          'STRATA_ERR_IO_FAILED',
        );
        assert.match(e.message, /^writing to file '.*': No space left on device$/);
        assert.equal([snapshot(root), registrationRows(root)], before, method);
      }
      // The collector frees the reserve; with ~2.5 MB left, opening must not take it back.
      await store.collectGarbage({ action: 'delete-dead' });
      await store.close();
      const free = () => {
        const fs = statfsSync(vol);
        return fs.bavail * fs.bsize;
      };
      writeFileSync(join(vol, 'filler'), Buffer.alloc(free() - (2560 << 10)));
      store = await open(root);
      await store.collectGarbage({ action: 'delete-dead' });
      await store.addTextToStore('after', 'after');
      await store.close();
      assert.ok(free() > 2 << 20, `space left: ${free()}`);
      assert.ok(!existsSync(reserved) || statSync(reserved).size === 0, 'no partial reserve');
    } finally {
      // Closed first (an open database keeps the mount busy); lazily, so a failure never
      // leaves the volume mounted.
      await store?.close().catch(() => {});
      spawnSync('umount', ['-l', vol]);
      t.cleanup();
    }
  },
);

rootTest(
  'a store directory that cannot be written: a clear error, nothing half-added',
  async () => {
    const t = tempDir();
    try {
      const root = join(t.path, 'r');
      const store = await open(root);
      await store.addTextToStore('seed', 'seed');
      await store.close();
      const before = [snapshot(root), registrationRows(root)];
      // As an unprivileged user (root ignores permissions): nobody = 65534.
      chmodSync(t.path, 0o755);
      const r = inChild(
        root,
        "try { await s.addTextToStore('x', 'y'); } catch (e) { console.log(e.message); }",
        { uid: 65534, gid: 65534 },
      );
      assert.match(r.stdout + r.stderr, /Permission denied/);
      assert.equal([snapshot(root), registrationRows(root)], before);
      // A collector that may write the database but not the store directory refuses before
      // invalidating anything (it would leave paths invalid but still on disk).
      spawnSync('chown', ['-R', '65534:65534', join(root, 'nix/var')]);
      const gc = inChild(
        root,
        "try { await s.collectGarbage({ action: 'delete-dead' }); } catch (e) { console.log(e.message); }",
        { uid: 65534, gid: 65534 },
      );
      assert.match(
        gc.stdout + gc.stderr,
        /writing to '.*\/nix\/store': Permission denied/,
        gc.stdout + gc.stderr,
      );
      assert.equal(registrationRows(root), before[1]);
    } finally {
      t.cleanup();
    }
  },
);

nixTest('a crash at any point of an add leaves nothing or a complete valid path', async () => {
  const t = tempDir();
  try {
    const src = makeTree(t.path);
    for (const point of ['after-write', 'before-rename', 'before-register', 'after-register']) {
      const root = join(t.path, point);
      const store = await open(root);
      await store.addTextToStore('seed', 'seed');
      await store.close();
      const r = inChild(root, `await s.addToStore(${JSON.stringify(src)});`, {
        env: { ...process.env, STRATA_TEST_CRASH_AT: point },
      });
      assert.is(r.signal, 'SIGKILL', `${point}: ${r.stderr}`);
      const again = await open(root);
      const expected = nix('nix-store', ['--store', join(t.path, 'oracle'), '--add', src]);
      const valid = await again.isValidPath(expected);
      assert.is(valid, point === 'after-register', point);
      const v = nixFails('nix-store', ['--store', root, '--verify', '--check-contents']);
      assert.is(v.status, 0, `${point}: ${v.stderr}`);
      // The next add completes whatever was left.
      assert.is((await again.addToStore(src)).path, expected);
      await again.close();
      const v2 = nixFails('nix-store', ['--store', root, '--verify', '--check-contents']);
      assert.is(v2.status, 0, `${point}: ${v2.stderr}`);
    }
  } finally {
    t.cleanup();
  }
});

nixTest(
  'verify --repair replaces a corrupted path from a substituter (another local store)',
  async () => {
    const t = tempDir();
    try {
      const good = join(t.path, 'good');
      const bad = join(t.path, 'bad');
      const file = join(t.path, 'f');
      writeFileSync(file, 'precious contents\n');
      const p = nix('nix-store', ['--store', good, '--add', file]);
      assert.is(nix('nix-store', ['--store', bad, '--add', file]), p);
      const real = join(bad, p);
      chmodSync(real, 0o644);
      writeFileSync(real, 'corrupted!\n');
      chmodSync(real, 0o444);
      const goodUrl = `local?root=${encodeURIComponent(good)}`;
      const store = await registry.openStore(`local?root=${encodeURIComponent(bad)}`, {
        env: {},
        globals: new Map([
          ['substituters', { value: [goodUrl], origin: { kind: 'default' } } as never],
        ]),
      });
      const lines: string[] = [];
      const r = await store.verify({
        checkContents: true,
        repair: true,
        log: (l) => lines.push(l),
      });
      assert.is(r.errors, false, lines.join('\n'));
      assert.ok(lines.some((l) => l.startsWith(`path '${p}' was modified!`)));
      assert.is(readFileSync(real, 'utf8'), 'precious contents\n');
      await store.close();
      const v = nixFails('nix-store', ['--store', bad, '--verify', '--check-contents']);
      assert.is(v.status, 0, v.stderr);
    } finally {
      t.cleanup();
    }
  },
);

test.run();
