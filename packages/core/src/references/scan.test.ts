import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { BASE32_ALPHABET } from '../hash/base32.js';
import { dumpPath } from '../nar/fs/dump.js';
import { seededRandom } from '../nar/testing.js';
import { narEventsOfTree } from '../nar/tree.js';
import { encodeNar } from '../nar/write.js';
import { hashPartsIn, ReferenceScanner, scanForReferences } from './scan.js';

const test = suite('reference scanner');
const nixTest = requires(test, NIX);

const enc = new TextEncoder();
const DEP = 'wkb38adhw4i46sxpcl84c1g6wxsylyag';
const SELF = 'hj2dr6596lyvlmpn9xdg7jd43vf1lhp8';
const OTHER = '0sq2kd3b1xzvlmyhw1lrwrbmw6dr6x6a';

function scan(chunks: Uint8Array[], candidates: string[]): string[] {
  const s = new ReferenceScanner(candidates);
  for (const c of chunks) s.update(c);
  return [...s.found].sort();
}

/** Every window of 32 bytes compared with every candidate: slow, obviously right. */
function naive(bytes: Uint8Array, candidates: string[]): string[] {
  const text = Buffer.from(bytes).toString('latin1');
  return candidates
    .filter((c) => text.includes(c.slice(c.lastIndexOf('/') + 1).slice(0, 32)))
    .sort();
}

test('finds hash parts, given as hash parts or as store paths, and nothing else', () => {
  const data = enc.encode(`#!/bin/sh\nexec /nix/store/${DEP}-dep/bin/x "$@"\n`);
  assert.equal(scan([data], [DEP, OTHER]), [DEP]);
  assert.equal(scan([data], [`/nix/store/${DEP}-dep`, `/nix/store/${OTHER}-other`]), [
    `/nix/store/${DEP}-dep`,
  ]);
  // the bare 32 characters suffice (spec §4: no store dir, no name)
  assert.equal(scan([enc.encode(DEP)], [`/nix/store/${DEP}-dep`]), [`/nix/store/${DEP}-dep`]);
  assert.equal(scan([enc.encode(DEP.slice(0, 31))], [DEP]), []);
  assert.equal(scan([enc.encode(DEP.toUpperCase())], [DEP]), []);
  assert.equal(scan([], [DEP]), []);
});

test('a match straddling chunks is found at every split position, and in 1-byte chunks', () => {
  const data = enc.encode(`xx${DEP}yy/${OTHER}`);
  for (let i = 0; i <= data.length; i++) {
    assert.equal(
      scan([data.subarray(0, i), data.subarray(i)], [DEP, OTHER]),
      [OTHER, DEP].sort(),
      `split ${i}`,
    );
    for (let j = i; j <= data.length; j += 5) {
      const three = [data.subarray(0, i), data.subarray(i, j), data.subarray(j)];
      assert.equal(scan(three, [DEP, OTHER]), [OTHER, DEP].sort(), `split ${i}, ${j}`);
    }
  }
  assert.equal(
    scan(
      [...data].map((b) => new Uint8Array([b])),
      [DEP, OTHER],
    ),
    [OTHER, DEP].sort(),
  );
});

test('overlapping candidates are all found (windows advance by one byte)', () => {
  const a = 'a'.repeat(32);
  const b = `${'a'.repeat(31)}b`;
  const c = `${'a'.repeat(30)}bc`;
  assert.equal(scan([enc.encode(`${'a'.repeat(32)}bc`)], [a, b, c]), [a, b, c]);
  assert.equal(scan([enc.encode('a'.repeat(40))], [a, b]), [a]);
  // a candidate beginning inside another's run of Nix32 characters
  const run = `${DEP}${OTHER}`;
  assert.equal(
    scan([enc.encode(run)], [DEP, OTHER, run.slice(5, 37)]),
    [DEP, OTHER, run.slice(5, 37)].sort(),
  );
});

test('skip-ahead: random data with planted hashes agrees with the naive scan', () => {
  const rand = seededRandom(42);
  const alphabet = `${BASE32_ALPHABET}eotu-/.\n\0\xff`;
  for (let round = 0; round < 60; round++) {
    const candidates = Array.from({ length: 6 }, () =>
      Array.from({ length: 32 }, () => BASE32_ALPHABET[Math.floor(rand() * 32)]).join(''),
    );
    let text = '';
    while (text.length < 3000) {
      const r = rand();
      if (r < 0.01) text += candidates[Math.floor(rand() * 6)];
      else if (r < 0.02)
        text += candidates[Math.floor(rand() * 6)].slice(0, 20 + Math.floor(rand() * 12));
      else text += alphabet[Math.floor(rand() * (r < 0.6 ? 32 : alphabet.length))];
    }
    const bytes = Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + Math.floor(rand() * 100);
      chunks.push(bytes.subarray(i, i + n));
      i += n;
    }
    assert.equal(scan(chunks, candidates), naive(bytes, candidates), `round ${round}`);
    assert.equal(scan([bytes], candidates), naive(bytes, candidates), `round ${round}`);
  }
});

test('self-reference: a NAR containing its own hash part refers to itself', async () => {
  const self = `/nix/store/${SELF}-selfref`;
  const dep = `/nix/store/${DEP}-dep`;
  const nar = encodeNar(
    narEventsOfTree({
      type: 'directory',
      entries: {
        self: { type: 'regular', contents: self },
        dep: { type: 'regular', contents: dep },
      },
    }),
  );
  const found = await scanForReferences([nar], [self, dep, `/nix/store/${OTHER}-unused`]);
  assert.equal([...found].sort(), [dep, self].sort());
  // names and symlink targets count as well as contents
  const inName = encodeNar(
    narEventsOfTree({
      type: 'directory',
      entries: { [`${DEP}-x`]: { type: 'symlink', target: `../${OTHER}` } },
    }),
  );
  assert.equal([...(await scanForReferences([inName], [DEP, OTHER]))].sort(), [OTHER, DEP].sort());
});

test('scanning stops early once every candidate is found', async () => {
  let pulled = 0;
  const source = (function* () {
    for (let i = 0; i < 100; i++) {
      pulled++;
      yield enc.encode(i === 3 ? DEP : 'zzzz');
    }
  })();
  assert.equal([...(await scanForReferences(source, [DEP]))], [DEP]);
  assert.is(pulled, 4);
});

test('bad candidates are refused with store-path errors', () => {
  for (const [c, message] of [
    ['short', "'short' is too short to be a valid store path"],
    [
      `/nix/store/${'e'.repeat(32)}-x`,
      `store path '${'e'.repeat(32)}-x' contains illegal base-32 character 'e'`,
    ],
  ]) {
    try {
      new ReferenceScanner([c]);
      assert.unreachable(c);
    } catch (e) {
      assert.ok(isStrataError(e), String(e));
      assert.is(e.message, message);
    }
  }
});

nixTest(
  'the references Nix registers for a build output are the ones found by scanning',
  async () => {
    await withTempDir(async (dir) => {
      const store = join(dir, 'store');
      const build = join(dir, 'build');
      mkdirSync(build);
      const expr = join(build, 'default.nix');
      writeFileSync(
        expr,
        `let
        dep = builtins.toFile "dep" "dep contents";
        unused = builtins.toFile "unused" "not referenced";
      in derivation {
        name = "scanned";
        system = builtins.currentSystem;
        builder = "/bin/sh";
        inherit dep unused;
        args = [ "-c" "echo $dep $out > $out" ];
      }`,
      );
      let out: string;
      try {
        out = execFileSync(
          'nix-build',
          [
            '--store',
            store,
            '--no-out-link',
            '--option',
            'substituters',
            '',
            '--option',
            'sandbox-paths',
            '/bin /lib /lib64 /usr',
            expr,
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        ).trim();
      } catch (e) {
        throw new Error(`nix-build in a chroot store failed: ${(e as { stderr?: string }).stderr}`);
      }
      const refs = nix('nix-store', ['--store', store, '-q', '--references', out])
        .split('\n')
        .sort();
      const inputs = nix('nix-store', [
        '--store',
        store,
        '-q',
        '--references',
        nix('nix-store', ['--store', store, '-q', '--deriver', out]),
      ])
        .split('\n')
        .filter((p) => !p.endsWith('.drv'));
      const found = await scanForReferences(dumpPath(join(store, out)), [...inputs, out]);
      assert.equal([...found].sort(), refs);
      assert.ok(refs.includes(out), 'self-reference');
      assert.is(refs.length, 2);
    });
  },
);

test('hashPartsIn: every distinct run of 32 Nix32 characters, overlapping ones too', () => {
  const h = 'xrabnx1r49hn890prhx86h6iyn19p976';
  const text = Buffer.from(`see /nix/store/${h}-x and ${h}0 but not ${h.slice(1)}e${h}`);
  assert.equal([...hashPartsIn(text)].sort(), [h, `${h.slice(1)}0`].sort());
  assert.equal(hashPartsIn(Buffer.from('')).size, 0);
  assert.equal(hashPartsIn(Buffer.from('e'.repeat(100))).size, 0);
});

test.run();
