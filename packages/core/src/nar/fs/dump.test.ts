import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { NIX, nix, nixFails, nixRaw, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../../errors.js';
import { collectBytes, narTreeOfDiskTree, randomDiskTree, seededRandom } from '../testing.js';
import { narEventsOfTree } from '../tree.js';
import { encodeNar } from '../write.js';
import { DUMP_CHUNK_SIZE, dumpPath, FsNarDumper, narHashOfPath } from './dump.js';
import { writeTreeToDisk } from './testing.js';

const test = suite('nar dump');
const nixTest = requires(test, NIX);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function makeSmall(dir: string): string {
  const p = join(dir, 'small');
  mkdirSync(p);
  writeFileSync(join(p, 'f'), 'a', { mode: 0o644 });
  symlinkSync('f', join(p, 'l'));
  writeFileSync(join(p, 'x'), '', { mode: 0o755 });
  chmodSync(join(p, 'x'), 0o755);
  return p;
}

function makeTree(dir: string): string {
  const p = join(dir, 'tree');
  mkdirSync(join(p, 'sub'), { recursive: true });
  writeFileSync(join(p, 'a.txt'), 'hi\n');
  chmodSync(join(p, 'a.txt'), 0o644);
  symlinkSync('a.txt', join(p, 'link'));
  writeFileSync(join(p, 'sub', 'run.sh'), '#!/bin/sh\necho x\n');
  chmodSync(join(p, 'sub', 'run.sh'), 0o755);
  return p;
}

test('V4, V8, V9 from disk: bytes, NAR hash and size', async () => {
  await withTempDir(async (dir) => {
    const hello = join(dir, 'hello.txt');
    writeFileSync(hello, 'Hello, world!\n');
    chmodSync(hello, 0o644);
    const helloNar = await collectBytes(dumpPath(hello));
    assert.is(helloNar.length, 128);
    assert.is(sha256(helloNar), '5849379a8b8cbfc4131d0c0f89ad020ea270d85f161e257b7d52135b58337ece');

    const small = await narHashOfPath(makeSmall(dir));
    assert.is(small.size, 696);
    assert.is(
      small.hash.toBase16(),
      '623b5fe0e3362cc3af6c86e997f7f5f71fb22f7c28fe631e07ed4840b74566f7',
    );
    assert.is(small.hash.toBase32(), '1xv68nvl0j7d0wg67zi8ghpv47zpypvrgsc6djpw6b1nwgh5yfv2');

    const tree = await narHashOfPath(makeTree(dir));
    assert.is(tree.size, 888);
    assert.is(
      tree.hash.toBase16(),
      '16964328546650b9065913bf2b2e6c92516458877ad0208ef8aff1ea0ebdb4f3',
    );
  });
});

test('executable iff the owner-execute bit is set', async () => {
  await withTempDir(async (dir) => {
    const cases: [number, boolean][] = [
      [0o644, false],
      [0o654, false],
      [0o645, false],
      [0o744, true],
      [0o100, true],
      [0o400, false],
    ];
    for (const [mode, executable] of cases) {
      const p = join(dir, `m${mode.toString(8)}`);
      writeFileSync(p, 'x');
      chmodSync(p, mode);
      const expected = encodeNar(narEventsOfTree({ type: 'regular', contents: 'x', executable }));
      assert.equal(await collectBytes(dumpPath(p)), expected, mode.toString(8));
    }
  });
});

test('a symlink at the root is dumped, not followed; an empty directory is a directory', async () => {
  await withTempDir(async (dir) => {
    symlinkSync('/nonexistent/target', join(dir, 'l'));
    assert.equal(
      await collectBytes(dumpPath(join(dir, 'l'))),
      encodeNar(narEventsOfTree({ type: 'symlink', target: '/nonexistent/target' })),
    );
    mkdirSync(join(dir, 'e'));
    assert.equal(
      await collectBytes(dumpPath(join(dir, 'e'))),
      encodeNar(narEventsOfTree({ type: 'directory', entries: {} })),
    );
  });
});

test('big files stream in chunks of at most 1 MiB that the consumer may keep', async () => {
  await withTempDir(async (dir) => {
    const big = Buffer.alloc(3 * DUMP_CHUNK_SIZE + 12345);
    for (let i = 0; i + 4 <= big.length; i += 4) big.writeUInt32LE(i, i);
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'big'), big);
    writeFileSync(join(dir, 'd', 'small'), 'after');
    const chunks: Buffer[] = [];
    for await (const c of dumpPath(join(dir, 'd'))) chunks.push(c);
    assert.ok(chunks.length >= 4);
    assert.ok(chunks.every((c) => c.length <= DUMP_CHUNK_SIZE && c.length > 0));
    const expected = encodeNar(
      narEventsOfTree({
        type: 'directory',
        entries: {
          big: { type: 'regular', contents: big },
          small: { type: 'regular', contents: 'after' },
        },
      }),
    );
    assert.equal(new Uint8Array(Buffer.concat(chunks)), expected);

    // with reused buffers each chunk must be used before the next: same bytes
    const dumper = new FsNarDumper(join(dir, 'd'), { reuseBuffers: true });
    const h = createHash('sha256');
    for (let c = dumper.next(); c !== null; c = dumper.next()) h.update(c);
    assert.is(h.digest('hex'), sha256(expected));
    const r = await narHashOfPath(join(dir, 'd'));
    assert.is(r.hash.toBase16(), sha256(expected));
    assert.is(r.size, expected.length);
    const reused: Buffer[] = [];
    for await (const c of dumpPath(join(dir, 'd'), { reuseBuffers: true }))
      reused.push(Buffer.from(c));
    assert.equal(new Uint8Array(Buffer.concat(reused)), expected);
  });
});

test('reused buffers are never overwritten while a chunk is still owed to the caller', async () => {
  await withTempDir(async (dir) => {
    // Sized so that one step flushes twice and then writes: "a" ends 48 bytes before the
    // first chunk's end, "b"'s tokens spill over, its data fills the second chunk exactly.
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'a'), Buffer.alloc(1048264, 1));
    writeFileSync(join(dir, 'd', 'b'), Buffer.alloc(DUMP_CHUNK_SIZE - 104, 2));
    const fresh = await collectBytes(dumpPath(join(dir, 'd')));
    const dumper = new FsNarDumper(join(dir, 'd'), { reuseBuffers: true });
    const copies: Buffer[] = [];
    for (let c = dumper.next(); c !== null; c = dumper.next()) copies.push(Buffer.from(c));
    assert.is(copies.length, 3);
    assert.is(copies[0].length, DUMP_CHUNK_SIZE);
    assert.is(copies[1].length, DUMP_CHUNK_SIZE);
    assert.equal(new Uint8Array(Buffer.concat(copies)), fresh);
  });
});

test('hashing on a worker thread (big NARs) gives the same hash and size', async () => {
  await withTempDir(async (dir) => {
    const tree = randomDiskTree(seededRandom(5), { bigFileBytes: 3 << 20 });
    writeTreeToDisk(join(dir, 't'), tree);
    writeFileSync(join(dir, 't', 'big'), Buffer.alloc(5 << 20, 7));
    const expected = await collectBytes(dumpPath(join(dir, 't')));
    for (const offloadAfterBytes of [0, 1, DUMP_CHUNK_SIZE, 3 * DUMP_CHUNK_SIZE, Infinity]) {
      const r = await narHashOfPath(join(dir, 't'), 'sha256', { offloadAfterBytes });
      assert.is(r.hash.toBase16(), sha256(expected), String(offloadAfterBytes));
      assert.is(r.size, expected.length);
    }
    const sha512 = await narHashOfPath(join(dir, 't'), 'sha512', { offloadAfterBytes: 0 });
    assert.is(sha512.hash.toBase16(), createHash('sha512').update(expected).digest('hex'));
    // an error while reading stops the worker and surfaces
    execFileSync('mkfifo', [join(dir, 't', 'zzz-fifo')]);
    await rejects(
      (async function* () {
        yield* [];
        await narHashOfPath(join(dir, 't'), 'sha256', { offloadAfterBytes: 0 });
      })(),
      `file '${join(dir, 't', 'zzz-fifo')}' has an unsupported type`,
    );
  });
});

test('random trees: dump equals the NAR of the same tree built in memory', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const tree = randomDiskTree(seededRandom(seed), { bigFileBytes: 70_000 });
    await withTempDir(async (dir) => {
      const root = join(dir, 'root');
      writeTreeToDisk(root, tree);
      const expected = encodeNar(narEventsOfTree(narTreeOfDiskTree(tree)));
      assert.equal(await collectBytes(dumpPath(root)), expected, `seed ${seed}`);
    });
  }
});

test('a FIFO or a socket cannot be dumped', async () => {
  await withTempDir(async (dir) => {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'a'), '');
    execFileSync('mkfifo', [join(dir, 'd', 'fifo')]);
    await rejects(
      dumpPath(join(dir, 'd')),
      `file '${join(dir, 'd', 'fifo')}' has an unsupported type`,
    );
    const server = createServer();
    const sock = join(dir, 'sock');
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      await rejects(dumpPath(sock), `file '${sock}' has an unsupported type`);
    } finally {
      server.close();
    }
  });
});

async function rejects(source: AsyncIterable<Uint8Array>, message: string) {
  try {
    for await (const _ of source) {
      // drain
    }
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`no error; expected: ${message}`);
}

test('a missing path', async () => {
  await rejects(
    dumpPath('/nonexistent/x'),
    "getting status of '/nonexistent/x': No such file or directory",
  );
});

// --- against Nix 2.8 ------------------------------------------------------------------------

nixTest('nix-store --dump and nix-hash agree on the spec trees', async () => {
  await withTempDir(async (dir) => {
    for (const p of [makeSmall(dir), makeTree(dir)]) {
      assert.equal(
        await collectBytes(dumpPath(p)),
        new Uint8Array(nixRaw('nix-store', ['--dump', p])),
      );
      assert.is((await narHashOfPath(p)).hash.toBase16(), nix('nix-hash', ['--type', 'sha256', p]));
    }
  });
});

nixTest(
  'random trees: bytes equal nix-store --dump, hashes equal nix-hash (sha256, sha1)',
  async () => {
    for (let seed = 100; seed < 108; seed++) {
      const tree = randomDiskTree(seededRandom(seed), { bigFileBytes: seed === 100 ? 3 << 20 : 0 });
      await withTempDir(async (dir) => {
        const root = join(dir, 'root');
        writeTreeToDisk(root, tree);
        const ours = await collectBytes(dumpPath(root));
        const theirs = new Uint8Array(nixRaw('nix-store', ['--dump', root]));
        assert.is(ours.length, theirs.length, `seed ${seed}`);
        assert.ok(Buffer.from(ours).equals(Buffer.from(theirs)), `seed ${seed}`);
        assert.is(
          (await narHashOfPath(root)).hash.toBase16(),
          nix('nix-hash', ['--type', 'sha256', root]),
        );
        assert.is(
          (await narHashOfPath(root, 'sha1')).hash.toBase32(),
          nix('nix-hash', ['--type', 'sha1', '--base32', root]),
        );
      });
    }
  },
);

nixTest('a tree deeper than 64 dumps as Nix 2.8 dumps it', async () => {
  await withTempDir(async (dir) => {
    const deep = join(dir, ...Array(70).fill('d'));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'), 'deep');
    const root = join(dir, 'd');
    assert.is(
      (await narHashOfPath(root)).hash.toBase16(),
      nix('nix-hash', ['--type', 'sha256', root]),
    );
  });
});

nixTest('errors read like Nix: unsupported type, missing path', async () => {
  await withTempDir(async (dir) => {
    mkdirSync(join(dir, 'd'));
    execFileSync('mkfifo', [join(dir, 'd', 'fifo')]);
    const fifo = nixFails('nix-store', ['--dump', join(dir, 'd')]);
    assert.is(
      fifo.stderr.trim(),
      `error: file '${join(dir, 'd', 'fifo')}' has an unsupported type`,
    );
    await rejects(dumpPath(join(dir, 'd')), fifo.stderr.trim().slice('error: '.length));
    const missing = nixFails('nix-store', ['--dump', join(dir, 'nope')]);
    await rejects(dumpPath(join(dir, 'nope')), missing.stderr.trim().slice('error: '.length));
  });
});

test.run();
