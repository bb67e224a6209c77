/**
 * `addNars` (batched import) and `addNar` on the local store, against `nix-store --import` of
 * the same export stream: the same rows, files and references; objects referring to earlier
 * ones in the same batch and in earlier batches; a bad object mid-stream; a missing
 * reference; signatures; crashes at every point; and a lock held by another process.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { copyClosure, type PathInfo, StoreRegistry } from '@strata/core';
import { hashBytes } from '@strata/core/hash';
import { encodeNar } from '@strata/core/nar';
import { generateSecretKey, makePathInfo, signPathInfo } from '@strata/core/path-info';
import type { Store } from '@strata/core/store';
import { makeTextPath, StoreDir } from '@strata/core/store-path';
import { NIX, nix, nixFails, nixRaw, rejectsWith, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import localPlugin from '../index.js';
import { tryLockPath } from '../locks/path-locks.js';
import { registrationRows } from './testing.js';

const test = suite('local store: import (addNars)');
const nixTest = requires(test, NIX);
const registry = new StoreRegistry();
registry.register(localPlugin);
const DIR = new StoreDir('/nix/store');

async function open(root: string, globals?: Map<string, unknown>): Promise<Store> {
  return registry.openStore(`local?root=${encodeURIComponent(root)}`, {
    env: {},
    ...(globals ? { globals: globals as never } : {}),
  });
}

interface Item {
  readonly info: PathInfo;
  readonly nar: Uint8Array;
}

/**
 * `n` text paths as `builtins.toFile` makes them, in chains of `chain`: each refers to the one
 * before it and the one seven before it (so references reach into earlier batches).
 */
function graph(n: number, chain: number, tag = ''): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < n; i++) {
    const refs: string[] = [];
    if (i % chain !== 0) refs.push(items[i - 1]!.info.path);
    if (i % chain >= 7) refs.push(items[i - 7]!.info.path);
    const bytes = Buffer.from(`node ${tag}${i} ${refs.join(' ')}`);
    const path = DIR.print(
      makeTextPath(
        `p${i}`,
        hashBytes('sha256', bytes),
        refs.map((r) => DIR.parsePath(r)),
        DIR,
      ),
    );
    const nar = encodeNar([
      { type: 'regular', executable: false, size: bytes.length },
      { type: 'contents', data: bytes },
      { type: 'regular-end' },
    ]);
    const info = makePathInfo({
      path,
      narHash: hashBytes('sha256', nar),
      narSize: nar.length,
      references: refs,
    });
    items.push({ info, nar });
  }
  return items;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function str(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([u64(b.length), b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
}

/** The `nix-store --export` stream of `items`. */
function exportStream(items: readonly Item[]): Buffer {
  const parts: Buffer[] = [];
  for (const { info, nar } of items) {
    parts.push(u64(1), Buffer.from(nar), u64(0x4558494e), str(info.path));
    parts.push(u64(info.references.length), ...info.references.map(str), str(''), u64(0));
  }
  parts.push(u64(0));
  return Buffer.concat(parts);
}

async function* streamOf(items: readonly Item[], failAt?: { index: number; error: Error }) {
  for (const [i, item] of items.entries()) {
    if (failAt?.index === i) throw failAt.error;
    yield {
      info: item.info,
      async *nar() {
        yield item.nar;
      },
    };
  }
}

async function addAll(store: Store, items: AsyncIterable<Item | ReturnType<typeof wrap>>) {
  const added: string[] = [];
  for await (const p of store.addNars!(items as never, { checkSigs: false })) added.push(p);
  return added;
}

function wrap(item: Item) {
  return { info: item.info, nar: () => once(item.nar) };
}

async function* once(b: Uint8Array) {
  yield b;
}

/** The entries of the store directory but `.links` (made with the layout, not by adding). */
function storeEntries(root: string): string[] {
  const dir = join(root, 'nix/store');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n !== '.links')
    .sort();
}

/** Every entry of the store directory with its type, mode, mtime and contents. */
function storeFiles(root: string): string[] {
  const dir = join(root, 'nix/store');
  return storeEntries(root).map((name) => {
    const p = join(dir, name);
    const st = lstatSync(p);
    const body = st.isSymbolicLink()
      ? readlinkSync(p)
      : st.isFile()
        ? readFileSync(p, 'utf8')
        : readdirSync(p).join(',');
    return `${name} ${st.mode.toString(8)} ${st.mtimeMs} ${body}`;
  });
}

function verifiesClean(root: string): void {
  const v = nixFails('nix-store', ['--store', root, '--verify', '--check-contents']);
  assert.is(v.status, 0, v.stderr);
  assert.is(v.stderr.includes('error'), false, v.stderr);
}

nixTest(
  'addNars imports what nix-store --import imports: rows, files, references (across batches)',
  async () => {
    const t = tempDir();
    try {
      const items = graph(1200, 400);
      const viaNix = join(t.path, 'nix');
      const printed = nixRaw('nix-store', ['--store', viaNix, '--import'], exportStream(items));
      const viaStrata = join(t.path, 'strata');
      const store = await open(viaStrata);
      const added = await addAll(store, streamOf(items));
      assert.equal(added, printed.toString().trim().split('\n'));
      assert.equal(
        added,
        items.map((i) => i.info.path),
      );
      await store.close();
      assert.equal(registrationRows(viaStrata), registrationRows(viaNix));
      assert.equal(storeFiles(viaStrata), storeFiles(viaNix));
      assert.is(
        storeFiles(viaStrata).some((f) => f.includes('.lock ')),
        false,
        'no lock files left',
      );
      for (const i of [1, 8, 407, 1199]) {
        const p = items[i]!.info.path;
        const q = ['-q', '--references', p];
        assert.is(
          nix('nix-store', ['--store', viaStrata, ...q]),
          nix('nix-store', ['--store', viaNix, ...q]),
        );
      }
      verifiesClean(viaStrata);

      // Again: everything is valid already; each NAR is read past, nothing changes.
      const before = [storeFiles(viaStrata), registrationRows(viaStrata)];
      const again = await open(viaStrata);
      assert.equal(await addAll(again, streamOf(items)), added);
      await again.close();
      assert.equal([storeFiles(viaStrata), registrationRows(viaStrata)], before);
    } finally {
      t.cleanup();
    }
  },
);

nixTest('a path twice in one stream is added once, as by nix-store --import', async () => {
  const t = tempDir();
  try {
    const items = graph(5, 10);
    const stream = [...items, items[2]!, ...graph(3, 10, 'x')];
    const viaNix = join(t.path, 'nix');
    const printed = nixRaw('nix-store', ['--store', viaNix, '--import'], exportStream(stream));
    const viaStrata = join(t.path, 'strata');
    const store = await open(viaStrata);
    assert.equal(await addAll(store, streamOf(stream)), printed.toString().trim().split('\n'));
    await store.close();
    assert.equal(registrationRows(viaStrata), registrationRows(viaNix));
    assert.equal(storeFiles(viaStrata), storeFiles(viaNix));
  } finally {
    t.cleanup();
  }
});

nixTest(
  'a bad object mid-stream: those before it are valid, it leaves nothing, no more are read',
  async () => {
    const t = tempDir();
    try {
      const items = graph(20, 10);
      const good = items.slice(0, 12);
      const bad = items[12]!;
      const cases: [string, Item, string, string][] = [
        [
          'hash mismatch',
          { ...bad, info: { ...bad.info, narHash: hashBytes('sha256', 'other') } },
          'STRATA_ERR_STORE_NAR_HASH_MISMATCH',
          `hash mismatch importing path '${bad.info.path}';\n  specified: ${hashBytes('sha256', 'other').toString('base32')}\n  got:       ${bad.info.narHash.toString('base32')}`,
        ],
        [
          'size mismatch',
          { ...bad, info: { ...bad.info, narSize: bad.nar.length + 8 } },
          'STRATA_ERR_STORE_NAR_SIZE_MISMATCH',
          `size mismatch importing path '${bad.info.path}';\n  specified: ${bad.nar.length + 8}\n  got:       ${bad.nar.length}`,
        ],
        [
          'truncated NAR',
          { ...bad, nar: bad.nar.subarray(0, bad.nar.length - 16) },
          'STRATA_ERR_NAR_UNEXPECTED_EOF',
          '',
        ],
      ];
      for (const [what, broken, code, message] of cases) {
        const root = join(t.path, what.replace(/ /g, '-'));
        const store = await open(root);
        const added: string[] = [];
        const stream = [...good, broken, ...items.slice(13)];
        let read = 0;
        const counted = (async function* () {
          for await (const item of streamOf(stream)) {
            read++;
            yield item;
          }
        })();
        await rejectsWith(
          async () => {
            for await (const p of store.addNars!(counted, { checkSigs: false })) added.push(p);
          },
          code as never,
          ...((message ? [message] : []) as [string]),
        );
        assert.is(read, 13, `${what}: nothing after the bad object is read`);
        assert.equal(
          added,
          good.map((i) => i.info.path),
          what,
        );
        assert.equal((await store.queryAllValidPaths()).sort(), added.slice().sort(), what);
        await store.close();
        // Only the valid paths are in the store directory: no object, no lock file.
        assert.equal(
          storeEntries(root),
          good.map((i) => i.info.path.slice('/nix/store/'.length)).sort(),
          what,
        );
        verifiesClean(root);
      }
    } finally {
      t.cleanup();
    }
  },
);

nixTest(
  'a stream failing mid-way (a malformed export) leaves the same store as nix-store --import',
  async () => {
    const t = tempDir();
    try {
      const items = graph(10, 10);
      // The 7th NAR cut short and the stream ending there: Nix fails parsing it.
      const head = exportStream(items.slice(0, 6));
      const cut = Buffer.concat([
        head.subarray(0, head.length - 8),
        u64(1),
        items[6]!.nar.subarray(0, 40),
      ]);
      const viaNix = join(t.path, 'nix');
      const n = nixFails('nix-store', ['--store', viaNix, '--import'], cut);
      assert.is.not(n.status, 0);
      const viaStrata = join(t.path, 'strata');
      const store = await open(viaStrata);
      let failure: unknown;
      try {
        await addAll(store, streamOf(items, { index: 6, error: new Error('malformed') }));
      } catch (e) {
        failure = e;
      }
      assert.is((failure as Error | undefined)?.message, 'malformed');
      await store.close();
      assert.equal(registrationRows(viaStrata), registrationRows(viaNix));
      assert.equal(storeFiles(viaStrata), storeFiles(viaNix));
      assert.is((registrationRows(viaNix)[0] as unknown[]).length, 6);
    } finally {
      t.cleanup();
    }
  },
);

test('a reference neither valid nor earlier in the stream is refused before any write', async () => {
  const t = tempDir();
  try {
    const items = graph(8, 10);
    const root = join(t.path, 'r');
    const store = await open(root);
    // Item 3 without item 2 before it.
    const stream = [...items.slice(0, 2), ...items.slice(3)];
    const added: string[] = [];
    await rejectsWith(
      async () => {
        for await (const p of store.addNars!(streamOf(stream), { checkSigs: false })) {
          added.push(p);
        }
      },
      'STRATA_ERR_STORE_REFERENCE_NOT_VALID',
      `cannot add path '${items[3]!.info.path}' because its reference '${items[2]!.info.path}' is not valid`,
    );
    assert.equal(added, [items[0]!.info.path, items[1]!.info.path]);
    await store.close();
    assert.equal(
      storeEntries(root),
      [items[0]!, items[1]!].map((i) => i.info.path.slice(11)).sort(),
    );
  } finally {
    t.cleanup();
  }
});

test('a repair with a bad NAR leaves the damaged copy valid and in place; a good one fixes it', async () => {
  const t = tempDir();
  try {
    const [item] = graph(1, 10);
    const root = join(t.path, 'r');
    const store = await open(root);
    await store.addNar(item!.info, once(item!.nar), { checkSigs: false });
    const real = join(root, item!.info.path);
    const damaged = Buffer.from('damaged');
    chmodSync(real, 0o644);
    writeFileSync(real, damaged);
    const bad = Buffer.from(item!.nar);
    bad[bad.indexOf('node 0')] ^= 1; // the contents, not the framing
    await rejectsWith(
      () => store.addNar(item!.info, once(bad), { checkSigs: false, repair: true }),
      'STRATA_ERR_STORE_NAR_HASH_MISMATCH',
    );
    assert.ok(await store.isValidPath(item!.info.path));
    assert.equal(readFileSync(real), damaged);
    assert.equal(storeEntries(root), [item!.info.path.slice(11)]);
    await store.addNar(item!.info, once(item!.nar), { checkSigs: false, repair: true });
    assert.is(readFileSync(real, 'utf8'), 'node 0 ');
    assert.is(lstatSync(real).mode & 0o777, 0o444);
    assert.equal(storeEntries(root), [item!.info.path.slice(11)]);
    await store.close();
  } finally {
    t.cleanup();
  }
});

test('require-sigs: an unsigned object is refused and changes nothing; a signed one is taken', async () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    const items = graph(3, 10);
    const store = await open(root);
    await store.addTextToStore('seed', 'seed');
    const before = [storeFiles(root), registrationRows(root)];
    const refused: string[] = [];
    await rejectsWith(
      async () => {
        for await (const p of store.addNars!(streamOf(items), { checkSigs: true })) refused.push(p);
      },
      'STRATA_ERR_STORE_LACKS_SIGNATURE',
      `cannot add path '${items[0]!.info.path}' because it lacks a valid signature`,
    );
    await store.close();
    assert.equal(refused, []);
    assert.equal([storeFiles(root), registrationRows(root)], before);

    const key = generateSecretKey('test-key-1');
    const signed = items.map((i) => ({
      ...i,
      info: { ...i.info, sigs: [signPathInfo(i.info, key)] },
    }));
    const fresh = join(t.path, 'fresh');
    const untrusting = await open(fresh);
    const none: string[] = [];
    await rejectsWith(async () => {
      for await (const p of untrusting.addNars!(streamOf(signed), { checkSigs: true })) {
        none.push(p);
      }
    }, 'STRATA_ERR_STORE_LACKS_SIGNATURE');
    await untrusting.close();
    assert.equal(none, []);
    assert.is(existsSync(fresh), false, 'a refused import creates no store');

    const trusting = await open(
      fresh,
      new Map([
        [
          'trusted-public-keys',
          { value: [key.toPublicKey().toString()], origin: { kind: 'default' } },
        ],
      ]),
    );
    const added: string[] = [];
    for await (const p of trusting.addNars!(streamOf(signed), { checkSigs: true })) added.push(p);
    assert.equal(
      added,
      signed.map((i) => i.info.path),
    );
    assert.equal((await trusting.queryPathInfo(added[2]!)).sigs, signed[2]!.info.sigs);
    await trusting.close();
  } finally {
    t.cleanup();
  }
});

/** Runs `addNars` over `items` in a child process (to be killed, or to wait for a lock). */
function childScript(root: string, items: readonly Item[]): string {
  const data = JSON.stringify(
    items.map((i) => ({
      path: i.info.path,
      refs: i.info.references,
      nar: Buffer.from(i.nar).toString('base64'),
    })),
  );
  return `
    const { StoreRegistry } = await import('@strata/core');
    const { hashBytes } = await import('@strata/core/hash');
    const { makePathInfo } = await import('@strata/core/path-info');
    const { default: p } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).pathname)});
    const r = new StoreRegistry(); r.register(p);
    const s = await r.openStore(${JSON.stringify(`local?root=${encodeURIComponent(root)}`)}, { env: {} });
    const items = ${data}.map((i) => {
      const nar = Buffer.from(i.nar, 'base64');
      const info = makePathInfo({ path: i.path, narHash: hashBytes('sha256', nar), narSize: nar.length, references: i.refs });
      return { info, nar: async function* () { yield nar; } };
    });
    async function* all() { yield* items; }
    for await (const path of s.addNars(all(), { checkSigs: false })) console.log(path);
    await s.close();`;
}

function childArgs(script: string): [string, string[], { cwd: string }] {
  return [
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: new URL('../../../..', import.meta.url).pathname },
  ];
}

nixTest(
  'a crash at any point of an import leaves valid paths complete and nothing else',
  async () => {
    const t = tempDir();
    try {
      const items = graph(30, 10);
      for (const point of ['after-write', 'before-register', 'after-register']) {
        const root = join(t.path, point);
        const [cmd, args, opts] = childArgs(childScript(root, items));
        const r = spawnSync(cmd, args, {
          ...opts,
          encoding: 'utf8',
          env: { ...process.env, STRATA_TEST_CRASH_AT: point },
        });
        assert.is(r.signal, 'SIGKILL', `${point}: ${r.stderr}`);
        const store = await open(root);
        const valid = await store.queryAllValidPaths();
        // All 30 are one batch: registered together or not at all.
        assert.is(valid.length, point === 'after-register' ? 30 : 0, point);
        verifiesClean(root);
        // Importing again completes whatever was left, and leaves no leftovers.
        assert.equal(
          await addAll(store, streamOf(items)),
          items.map((i) => i.info.path),
        );
        await store.close();
        verifiesClean(root);
        // The crashed process's lock files may stay, as Nix's do after a crash (its collector
        // removes them); any other leftover is gone.
        assert.equal(
          storeEntries(root).filter((n) => !n.endsWith('.lock')),
          items.map((i) => i.info.path.slice('/nix/store/'.length)).sort(),
          point,
        );
      }
    } finally {
      t.cleanup();
    }
  },
);

test('copyClosure into a local store takes the addNars road: all in order; a bad object mid-way keeps those before it', async () => {
  const t = tempDir();
  try {
    const items = graph(30, 10);
    const source = await open(join(t.path, 'source'));
    await addAll(source, streamOf(items));
    const top = items[29]!.info.path;
    const closure = items.slice(20).map((i) => i.info.path);

    const good = join(t.path, 'good');
    const to = await open(good);
    const addNars = to.addNars!.bind(to);
    let calls = 0;
    to.addNars = (...args) => {
      calls++;
      return addNars(...args);
    };
    const progress: string[] = [];
    const copied = await copyClosure(source, to, [top], {
      checkSigs: false,
      onCopied: (p) => progress.push(p),
    });
    assert.equal(copied, closure, 'references first, as the chain goes');
    assert.equal(progress, closure);
    assert.is(calls, 1, 'one addNars call for the whole closure');
    assert.equal((await to.queryPathInfo(top)).references, items[29]!.info.references);
    await to.close();

    // The 25th path's file changes in the source after it was registered: its NAR no longer
    // matches the recorded hash, so the destination refuses it and everything after it.
    const bad = items[24]!.info.path;
    const file = join(t.path, 'source', bad);
    chmodSync(file, 0o644);
    writeFileSync(file, 'tampered');
    const broken = join(t.path, 'broken');
    const into = await open(broken);
    await rejectsWith(
      () => copyClosure(source, into, [top], { checkSigs: false }),
      'STRATA_ERR_STORE_NAR_HASH_MISMATCH',
    );
    for (const [i, path] of closure.entries()) {
      assert.is(await into.isValidPath(path), i < 4, path);
    }
    assert.not.ok(existsSync(join(broken, bad)), 'nothing of the refused object on disk');
    await into.close();
    await source.close();
  } finally {
    t.cleanup();
  }
});

test('a lock held by another process: the batch before it becomes valid while the import waits', async () => {
  const t = tempDir();
  try {
    const items = graph(12, 20);
    const root = join(t.path, 'r');
    const seed = await open(root);
    await seed.addTextToStore('seed', 'seed'); // the layout exists, so the lock file can
    await seed.close();
    const held = tryLockPath(items[5]!.info.path, (p) => join(root, p));
    assert.ok(held);
    const [cmd, args, opts] = childArgs(childScript(root, items));
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Wait (bounded) until the child has made the first five valid and is waiting for the lock.
    const first = items.slice(0, 5).map((i) => i.info.path);
    const store = await open(root);
    const valid = async () => (await store.queryValidPaths(first)).length;
    for (let i = 0; i < 1200 && (await valid()) < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.is(await valid(), 5, err);
    assert.is(await store.isValidPath(items[5]!.info.path), false);
    held.release({ deleteFile: false });
    assert.is(await exited, 0, err);
    assert.equal(
      out.trim().split('\n'),
      items.map((i) => i.info.path),
    );
    for (const i of items) assert.ok(await store.isValidPath(i.info.path));
    await store.close();
    assert.is(
      readdirSync(join(root, 'nix/store')).some((n) => n.endsWith('.lock')),
      false,
      'lock files deleted',
    );
  } finally {
    t.cleanup();
  }
});

test.run();
