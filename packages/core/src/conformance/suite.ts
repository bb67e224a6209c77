/**
 * The store conformance kit: one set of uvu tests, parametrised by how to open a store (a URL
 * through a registry), that any plugin — built-in or third-party — runs to show it honours the
 * `Store` interface: open, add text and files, query, closure, NAR round trip, signatures, and
 * bad input rejected with the store unchanged. Parts a store declares it cannot do (through
 * its capabilities) are replaced by a check that they fail with the typed "unsupported" error.
 *
 * @example
 *   import { suite } from 'uvu';
 *   import { storeConformanceTests } from '@strata/core/conformance';
 *   const test = suite('memory store conformance');
 *   storeConformanceTests(test, { registry, url: 'memory://' });
 *   test.run();
 */
import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'uvu';
import { isStrataError } from '../errors.js';
import { hashBytes } from '../hash/hasher.js';
import { type NarTree, narEventsOfTree } from '../nar/tree.js';
import { encodeNar } from '../nar/write.js';
import { generateSecretKey } from '../path-info/keys.js';
import { makePathInfo, type PathInfo } from '../path-info/path-info.js';
import { countValidSignatures, signPathInfo, trustedKeySet } from '../path-info/signatures.js';
import type { OpenOptions } from '../registry/open-context.js';
import type { StoreRegistry } from '../registry/registry.js';
import { computeClosure } from '../store/closure.js';
import { topoSortStorePaths } from '../store/topo-sort.js';
import type { ByteStream, Store } from '../store/types.js';
import { renderContentAddress } from '../store-path/content-address.js';
import { makeFixedOutputPath } from '../store-path/make.js';
import { StoreDir } from '../store-path/store-dir.js';

/** How the kit gets the store under test. */
export interface ConformanceOptions {
  readonly registry: StoreRegistry;
  /** The store URL under test; every test opens a fresh store from it. */
  readonly url: string;
  readonly openOptions?: OpenOptions;
}

async function collect(stream: ByteStream): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(Uint8Array.from(c));
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): ByteStream {
  yield bytes;
}

function expectError(code: string, message?: string | RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isStrataError(e), `expected a StrataError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  };
}

/** A NAR object made from a tree, with the path info a store would record for it. */
function narObject(store: Store, name: string, tree: NarTree, references: string[] = []) {
  const nar = encodeNar(narEventsOfTree(tree));
  const dir = new StoreDir(store.storeDir);
  const narHash = hashBytes('sha256', nar);
  const path = dir.print(
    makeFixedOutputPath(
      name,
      { method: 'recursive', hash: narHash },
      references.map((r) => dir.parsePath(r)),
      false,
      dir,
    ),
  );
  const info = makePathInfo({
    path,
    narHash,
    narSize: nar.length,
    references,
    ca: { method: 'recursive', hash: narHash },
  });
  return { nar, info };
}

const TREE: NarTree = {
  type: 'directory',
  entries: {
    bin: {
      type: 'directory',
      entries: { run: { type: 'regular', contents: '#!/bin/sh\n', executable: true } },
    },
    'data.txt': { type: 'regular', contents: 'x'.repeat(1000) },
    empty: { type: 'regular', contents: '' },
    link: { type: 'symlink', target: 'data.txt' },
  },
};

/** Registers the conformance tests on `test`. */
export function storeConformanceTests(test: Test, options: ConformanceOptions): void {
  const stores: Store[] = [];
  const open = async (): Promise<Store> => {
    const s = await options.registry.openStore(options.url, options.openOptions ?? {});
    stores.push(s);
    return s;
  };
  const can = (store: Store, capability: string) => store.capabilities.has(capability);
  const invalid = (store: Store) => `${store.storeDir}/${'0'.repeat(32)}-conformance-absent`;

  test.after.each(async () => {
    for (const s of stores.splice(0)) await options.registry.closeStore(s);
  });

  test(`${options.url}: opens and describes itself`, async () => {
    const store = await open();
    assert.ok(store.storeDir.startsWith('/'));
    assert.equal(typeof store.url, 'string');
    const info = await store.getInfo();
    assert.equal(info.url, store.url);
    assert.equal(info.storeDir, store.storeDir);
  });

  test(`${options.url}: an absent path is not valid`, async () => {
    const store = await open();
    const p = invalid(store);
    assert.equal(await store.isValidPath(p), false);
    assert.deepEqual(await store.queryValidPaths([p]), []);
    await assert.rejects(
      store.queryPathInfo(p),
      expectError('STRATA_ERR_STORE_NOT_VALID', `path '${p}' is not valid`),
    );
    await assert.rejects(
      store.isValidPath('/definitely/not/a/store/x'),
      expectError(
        'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
        "path '/definitely/not/a/store/x' is not in the Nix store",
      ),
    );
  });

  test(`${options.url}: adds text (builtins.toFile)`, async () => {
    const store = await open();
    if (!can(store, 'write')) {
      await assert.rejects(
        store.addTextToStore('hello.txt', 'Hello, world!\n'),
        expectError('STRATA_ERR_STORE_UNSUPPORTED'),
      );
      return;
    }
    const path = await store.addTextToStore('hello.txt', 'Hello, world!\n');
    if (store.storeDir === '/nix/store') {
      // builtins.toFile "hello.txt" "Hello, world!\n" in Nix 2.8
      assert.equal(path, '/nix/store/i3vl5f9f521bladwcs3zi5gmc1pd6qr6-hello.txt');
    }
    const info = await store.queryPathInfo(path);
    assert.equal(info.path, path);
    assert.deepEqual(info.references, []);
    assert.equal(info.narSize, 128);
    assert.equal(
      renderContentAddress(info.ca!),
      `text:${hashBytes('sha256', 'Hello, world!\n').toString('base32')}`,
    );
    assert.equal(
      await store.addTextToStore('hello.txt', 'Hello, world!\n'),
      path,
      'adding again is a no-op',
    );
    const user = await store.addTextToStore('user', `uses ${path}`, [path]);
    assert.deepEqual((await store.queryPathInfo(user)).references, [path]);
  });

  test(`${options.url}: adds files and trees (nix-store --add, --add-fixed)`, async () => {
    const store = await open();
    const dir = mkdtempSync(join(tmpdir(), 'strata-conformance-'));
    try {
      writeFileSync(join(dir, 'hello.txt'), 'Hello, world!\n');
      mkdirSync(join(dir, 'tree'));
      writeFileSync(join(dir, 'tree', 'a'), 'a');
      writeFileSync(join(dir, 'tree', 'x'), '');
      chmodSync(join(dir, 'tree', 'x'), 0o755);
      symlinkSync('a', join(dir, 'tree', 'l'));
      if (!can(store, 'write')) {
        await assert.rejects(
          store.addToStore(join(dir, 'hello.txt')),
          expectError('STRATA_ERR_STORE_UNSUPPORTED'),
        );
        return;
      }
      const rec = await store.addToStore(join(dir, 'hello.txt'));
      const flat = await store.addToStore(join(dir, 'hello.txt'), { method: 'flat' });
      if (store.storeDir === '/nix/store') {
        assert.equal(rec.path, '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
        assert.equal(flat.path, '/nix/store/6g99pcrpapn5x08wpcyiq20wj4qgml24-hello.txt');
      }
      assert.equal(rec.narHash.toString('base32'), flat.narHash.toString('base32'), 'same NAR');
      const tree = await store.addToStore(join(dir, 'tree'), { name: 'tree' });
      const nar = await collect(store.narFromPath(tree.path));
      assert.ok(hashBytes('sha256', nar).equals(tree.narHash));
      assert.equal(nar.length, tree.narSize);
      const sha1 = await store.addToStore(join(dir, 'hello.txt'), {
        method: 'flat',
        hashAlgorithm: 'sha1',
      });
      assert.equal(renderContentAddress(sha1.ca!).startsWith('fixed:sha1:'), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${options.url}: queries`, async () => {
    const store = await open();
    if (!can(store, 'write')) return;
    const a = await store.addTextToStore('a', 'a');
    const b = await store.addTextToStore('b', `b ${a}`, [a]);
    const absent = invalid(store);
    assert.equal(await store.isValidPath(a), true);
    assert.deepEqual(await store.queryValidPaths([b, absent, a]), [b, a]);
    const hashPart = b.slice(store.storeDir.length + 1, store.storeDir.length + 33);
    assert.equal(await store.queryPathFromHashPart(hashPart), b);
    assert.equal(await store.queryPathFromHashPart('0'.repeat(32)), undefined);
    const all = await store.queryAllValidPaths();
    assert.ok(all.includes(a) && all.includes(b));
    assert.deepEqual(all, [...all].sort());
    if (can(store, 'referrers')) assert.deepEqual(await store.queryReferrers(a), [b]);
    else await assert.rejects(store.queryReferrers(a), expectError('STRATA_ERR_STORE_UNSUPPORTED'));
  });

  test(`${options.url}: closure and topological order`, async () => {
    const store = await open();
    if (!can(store, 'write')) return;
    const c = await store.addTextToStore('c', 'c');
    const b = await store.addTextToStore('b', `b ${c}`, [c]);
    const a = await store.addTextToStore('a', `a ${b} ${c}`, [b, c]);
    const other = await store.addTextToStore('other', 'other');
    assert.deepEqual(await computeClosure(store, [a]), [a, b, c].sort());
    assert.deepEqual(await computeClosure(store, [c]), [c]);
    assert.deepEqual(await topoSortStorePaths(store, [c, a, b]), [a, b, c]);
    if (can(store, 'referrers')) {
      assert.deepEqual(
        await computeClosure(store, [c], { direction: 'referrers' }),
        [a, b, c].sort(),
      );
    }
    assert.ok(!(await computeClosure(store, [a])).includes(other));
  });

  test(`${options.url}: NAR round trip`, async () => {
    const store = await open();
    const { nar, info } = narObject(store, 'tree', TREE);
    if (!can(store, 'write')) {
      await assert.rejects(
        store.addNar(info, once(nar)),
        expectError('STRATA_ERR_STORE_UNSUPPORTED'),
      );
      return;
    }
    await store.addNar(info, once(nar));
    const back = await collect(store.narFromPath(info.path));
    assert.ok(back.equals(Buffer.from(nar)));
    const got = await store.queryPathInfo(info.path);
    assert.ok(got.narHash.equals(info.narHash));
    assert.equal(got.narSize, nar.length);
    // Chunked input of odd sizes gives the same object.
    const { nar: nar2, info: info2 } = narObject(store, 'tree2', TREE);
    await store.addNar(
      info2,
      (async function* () {
        for (let i = 0; i < nar2.length; i += 7) yield nar2.subarray(i, i + 7);
      })(),
    );
    assert.ok((await collect(store.narFromPath(info2.path))).equals(Buffer.from(nar2)));
  });

  test(`${options.url}: signatures`, async () => {
    const store = await open();
    const key = generateSecretKey('conformance-1');
    if (!can(store, 'write')) return;
    const path = await store.addTextToStore('signed', 'signed');
    if (!can(store, 'signatures')) {
      await assert.rejects(
        store.addSignatures(path, ['x:y']),
        expectError('STRATA_ERR_STORE_UNSUPPORTED'),
      );
      return;
    }
    const info = await store.queryPathInfo(path);
    const sig = signPathInfo(info, key);
    await store.addSignatures(path, [sig]);
    await store.addSignatures(path, [sig]);
    const signed = await store.queryPathInfo(path);
    assert.deepEqual(signed.sigs, [sig]);
    const trusted = trustedKeySet([key.toPublicKey().toString()]);
    const dir = new StoreDir(store.storeDir);
    assert.equal(countValidSignatures({ ...signed, ca: undefined } as PathInfo, trusted, dir), 1);
  });

  test(`${options.url}: bad input is rejected and the store is unchanged`, async () => {
    const store = await open();
    if (!can(store, 'write')) {
      const p = invalid(store);
      await assert.rejects(
        store.addTextToStore('x', 'x'),
        expectError('STRATA_ERR_STORE_UNSUPPORTED'),
      );
      assert.equal(await store.isValidPath(p), false);
      return;
    }
    const keep = await store.addTextToStore('keep', 'keep');
    const before = await store.queryAllValidPaths();
    const { nar, info } = narObject(store, 'bad', TREE);
    const wrong = hashBytes('sha256', 'not the nar');
    await assert.rejects(
      store.addNar({ ...info, narHash: wrong }, once(nar)),
      expectError(
        'STRATA_ERR_STORE_NAR_HASH_MISMATCH',
        `hash mismatch importing path '${info.path}';\n  specified: ${wrong.toString('base32')}\n  got:       ${info.narHash.toString('base32')}`,
      ),
    );
    await assert.rejects(
      store.addNar({ ...info, narSize: info.narSize + 8 }, once(nar)),
      expectError(
        'STRATA_ERR_STORE_NAR_SIZE_MISMATCH',
        `size mismatch importing path '${info.path}';\n  specified: ${info.narSize + 8}\n  got:       ${info.narSize}`,
      ),
    );
    const garbage = Buffer.from('this is not a NAR at all, just some bytes....');
    await assert.rejects(
      store.addNar(
        { ...info, narHash: hashBytes('sha256', garbage), narSize: garbage.length },
        once(garbage),
      ),
      expectError('STRATA_ERR_NAR_BAD_MAGIC'),
    );
    await assert.rejects(store.addNar(info, once(nar.subarray(0, nar.length - 8))), (e: unknown) =>
      isStrataError(e),
    );
    const absent = invalid(store);
    const dangling = narObject(store, 'dangling', { type: 'regular', contents: absent }, [absent]);
    await assert.rejects(
      store.addNar(dangling.info, once(dangling.nar)),
      expectError(
        'STRATA_ERR_STORE_REFERENCE_NOT_VALID',
        `cannot add path '${dangling.info.path}' because its reference '${absent}' is not valid`,
      ),
    );
    await assert.rejects(store.addTextToStore('bad name', 'x'), (e: unknown) => isStrataError(e));
    assert.equal(await store.isValidPath(info.path), false);
    assert.equal(await store.isValidPath(dangling.info.path), false);
    assert.deepEqual(await store.queryAllValidPaths(), before);
    assert.ok(before.includes(keep));
  });

  test(`${options.url}: garbage collection`, async () => {
    const store = await open();
    if (!can(store, 'write') || !can(store, 'gc')) {
      if (!can(store, 'gc')) {
        await assert.rejects(
          store.collectGarbage({ action: 'return-dead' }),
          expectError('STRATA_ERR_STORE_UNSUPPORTED'),
        );
      }
      return;
    }
    const lib = await store.addTextToStore('lib', 'lib');
    const app = await store.addTextToStore('app', `app ${lib}`, [lib]);
    const junk = await store.addTextToStore('junk', 'junk');
    const rootDir = mkdtempSync(join(tmpdir(), 'strata-conformance-'));
    try {
      await store.addPermRoot(app, join(rootDir, 'result'));
      // A store with temporary roots (the local store) keeps what this process added alive.
      const roots = await store.findRoots().catch(() => new Map<string, string[]>());
      const junkIsTempRoot = (roots.get(junk) ?? []).some((n) => n.startsWith('{temp:'));
      const dead = (await store.collectGarbage({ action: 'return-dead' })).paths;
      assert.ok(!dead.includes(app) && !dead.includes(lib));
      assert.equal(dead.includes(junk), !junkIsTempRoot);
      await assert.rejects(
        store.deleteStorePaths([lib]),
        expectError(
          'STRATA_ERR_STORE_PATH_ALIVE',
          `Cannot delete path '${lib}' since it is still alive. To find out why, use: nix-store --query --roots`,
        ),
      );
      const result = await store.collectGarbage({ action: 'delete-dead' });
      assert.equal(result.paths.includes(junk), !junkIsTempRoot);
      assert.equal(await store.isValidPath(junk), junkIsTempRoot);
    } finally {
      rmSync(rootDir, { recursive: true, force: true });
    }
    assert.equal(await store.isValidPath(lib), true);
  });
}
