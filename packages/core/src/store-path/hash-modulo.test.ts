import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, nixRaw, ROOT, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashBytes } from '../hash/hasher.js';
import { parseHash } from '../hash/parse.js';
import {
  isContentAddressed,
  parseContentAddress,
  renderContentAddress,
} from './content-address.js';
import { HashModuloSink, hashModulo } from './hash-modulo.js';
import { makeFixedOutputPath, makeSourcePath, makeTextPath, storePathFingerprint } from './make.js';
import { Rewriter } from './rewrite.js';
import { StoreDir } from './store-dir.js';

const test = suite('store-path/hash-modulo');
const buildTest = requires(test, NIX, ROOT);
const dir = new StoreDir();

// A minimal NAR writer for the test (spec store-format §3.2), independent of src/nar.
function str(s: string | Uint8Array): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : Buffer.from(s);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  return Buffer.concat([len, b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
}
type Node = { symlink: string } | { file: string } | { dir: Record<string, Node> };
function node(n: Node): Buffer[] {
  if ('symlink' in n)
    return [str('('), str('type'), str('symlink'), str('target'), str(n.symlink), str(')')];
  if ('file' in n)
    return [str('('), str('type'), str('regular'), str('contents'), str(n.file), str(')')];
  const out = [str('('), str('type'), str('directory')];
  for (const name of Object.keys(n.dir).sort()) {
    out.push(
      str('entry'),
      str('('),
      str('name'),
      str(name),
      str('node'),
      ...node(n.dir[name]),
      str(')'),
    );
  }
  return [...out, str(')')];
}
const nar = (n: Node) => Buffer.concat([str('nix-archive-1'), ...node(n)]);

function* chunks(data: Uint8Array, max: number): Generator<Uint8Array> {
  for (let i = 0; i < data.length; ) {
    const n = randomInt(1, max + 1);
    yield data.subarray(i, i + n);
    i += n;
  }
}

function rewrite(data: Uint8Array, from: string, to: string): Buffer {
  const r = new Rewriter(from, to);
  return Buffer.concat([...r.update(data), ...r.finish()]);
}

test('definition: sha256 of the NAR with the modulus zeroed, then |offset for each occurrence', async () => {
  const modulus = 'wkb38adhw4i46sxpcl84c1g6wxsylyag';
  const data = Buffer.concat([
    randomBytes(40),
    Buffer.from(modulus),
    randomBytes(3),
    Buffer.from(modulus),
    randomBytes(9),
  ]);
  const zeroed = Buffer.from(data);
  zeroed.fill(0, 40, 72);
  zeroed.fill(0, 75, 107);
  const r = await hashModulo([data], modulus);
  assert.equal(r.offsets, [40, 75]);
  assert.is(r.size, data.length);
  assert.ok(r.hash.equals(hashBytes('sha256', Buffer.concat([zeroed, Buffer.from('|40|75')]))));
  // Without occurrences it is the plain hash.
  const plain = randomBytes(1000);
  const p = new HashModuloSink(modulus).update(plain).finish();
  assert.equal(p.offsets, []);
  assert.ok(p.hash.equals(hashBytes('sha256', plain)));
  // Other algorithms.
  const s512 = await hashModulo([data], modulus, 'sha512');
  assert.ok(s512.hash.equals(hashBytes('sha512', Buffer.concat([zeroed, Buffer.from('|40|75')]))));
});

test('V11 (spec §2.3.1): the hash modulo gives the fingerprint, path and ca of the spec', () => {
  const modulo = parseHash(
    'sha256:2f242fad434a49daadfe5fe3f0061f51d6a6c1ec42ee4be5e9f621f1128a5e9c',
  );
  const dep = dir.parsePath('/nix/store/6bx8z6gsnm03iadqwhgpmfhrg47sxks6-dep');
  assert.is(
    storePathFingerprint(
      'source:/nix/store/6bx8z6gsnm03iadqwhgpmfhrg47sxks6-dep:self',
      modulo,
      'selfref',
      dir,
    ),
    'source:/nix/store/6bx8z6gsnm03iadqwhgpmfhrg47sxks6-dep:self:sha256:2f242fad434a49daadfe5fe3f0061f51d6a6c1ec42ee4be5e9f621f1128a5e9c:/nix/store:selfref',
  );
  assert.is(
    dir.print(makeSourcePath('selfref', modulo, [dep], true, dir)),
    '/nix/store/gwzwg4nysy0iy92fzadv0pwgq04asv3l-selfref',
  );
  assert.is(
    renderContentAddress({ method: 'recursive', hash: modulo }),
    'fixed:r:sha256:172yi89g28gnx7jlpvj2xk0sdmji3w3g1qszzsnxljaa8fnjy91g',
  );
  const depNar = parseHash(
    'sha256:2ca0b8ce996f865db37619bfe91023559305aad8158042fc6ddb0ef1d43c5b67',
  );
  assert.is(
    dir.print(makeSourcePath('dep', depNar, [], false, dir)),
    '/nix/store/6bx8z6gsnm03iadqwhgpmfhrg47sxks6-dep',
  );
});

// Recorded with Nix 2.8.0 (chroot store, `nix store make-content-addressed`) for this test:
// an output `selfref` with files `dep` ("<dep path>\n"), `self` ("<own path>\n") and a
// symlink `link` → "<own path>/self", referring to the text object `dep` ("hello dep\n").
test('recorded make-content-addressed case: paths, ca and narHash agree with Nix 2.8', async () => {
  const oldDep = '/nix/store/8szr4awhrhm4ilh2fg60i8f9b0f4ndnn-dep';
  const oldSelf = '/nix/store/z4wwwm66y0k8xazpk96y3gmam75ndvbk-selfref';
  const depText = 'hello dep\n';
  assert.is(dir.print(makeTextPath('dep', hashBytes('sha256', depText), [], dir)), oldDep);
  const depNar = nar({ file: depText });
  assert.is(
    hashBytes('sha256', depNar).toBase16(),
    '69a9dcf9ec175484bf9417ea67195b1b02ebcbdc6b03f8cf1546eb8485274bf4',
  );
  const depModulo = await hashModulo([depNar], dir.parsePath(oldDep).hashPart);
  const newDep = makeFixedOutputPath(
    'dep',
    { method: 'recursive', hash: depModulo.hash },
    [],
    false,
    dir,
  );
  assert.is(dir.print(newDep), '/nix/store/9z4yia9zznny7b61w5lgjnf4v3l82633-dep');
  assert.is(
    renderContentAddress({ method: 'recursive', hash: depModulo.hash }),
    'fixed:r:sha256:1x2b4y2q9ss62p7zh0vbvk5yn0hvbccngshpjjzq8m0pxkwxrab9',
  );

  const old = nar({
    dir: {
      dep: { file: `${oldDep}\n` },
      self: { file: `${oldSelf}\n` },
      link: { symlink: `${oldSelf}/self` },
    },
  });
  assert.is(old.length, 808);
  assert.is(
    hashBytes('sha256', old).toBase16(),
    '6556a73ec38b80419a2c92cbeb3bf6cc14a4bd18538facb3032467d44c36df1c',
  );
  const rewritten = rewrite(old, oldDep, dir.print(newDep));
  const oldHashPart = dir.parsePath(oldSelf).hashPart;
  for (const max of [1, 5, 31, 32, 100, 1000]) {
    const m = await hashModulo(chunks(rewritten, max), oldHashPart);
    assert.equal(m.offsets, [475, 715]);
    assert.is(m.size, 808);
    const newPath = makeSourcePath('selfref', m.hash, [newDep], true, dir);
    assert.is(dir.print(newPath), '/nix/store/fhkq6vy65wryvzadlxr89fic7iaj5s8h-selfref');
    const ca = { method: 'recursive', hash: m.hash } as const;
    assert.is(
      renderContentAddress(ca),
      'fixed:r:sha256:1qq3dh8h4z0w56f2gj3q7gbpc79nfnk8bbmywzghypiac360pgsn',
    );
    const final = rewrite(rewritten, oldHashPart, newPath.hashPart);
    assert.is(
      hashBytes('sha256', final).toBase16(),
      'd42ead6a1d6127a35d6aa2db9d70a8f2684752eae89bbac5c2ef11ef614a1e6d',
    );
    assert.ok(isContentAddressed({ path: newPath, ca, references: [newDep, newPath] }, dir));
  }
});

// --- against Nix 2.8 on a fresh build --------------------------------------------------------

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const alnum = (min: number, max: number) =>
  Array.from({ length: randomInt(min, max + 1) }, () => ALNUM[randomInt(ALNUM.length)]).join('');

buildTest(
  'a fresh self-referencing build made content-addressed: Strata computes what Nix does',
  async () => {
    await withTempDir(async (tmp) => {
      const root = join(tmp, 'root');
      const name = alnum(1, 20);
      const depName = alnum(1, 20);
      const [f1, f2, f3] = ['s', 'd', 'l'].map((p) => p + alnum(1, 8));
      // $out appears a random number of times, between random runs of text.
      // ("." ends the shell variable name.)
      const selfLine =
        Array.from({ length: randomInt(1, 5) }, () => `${alnum(0, 1500)}$out.`).join('') +
        alnum(0, 50);
      const expr = join(tmp, 'drv.nix');
      writeFileSync(
        expr,
        `let dep = builtins.toFile "${depName}" "${alnum(0, 200)}\\n"; in derivation {
        name = "${name}"; system = builtins.currentSystem; builder = "/bin/sh";
        args = [ "-c" "/bin/mkdir $out; echo ${selfLine} > $out/${f1}; echo \${dep} > $out/${f2}; /bin/ln -s $out/${f1} $out/${f3}" ];
      }`,
      );
      const opts = [
        '--store',
        root,
        '--option',
        'sandbox-paths',
        '/bin /lib /lib64 /usr',
        '--option',
        'substituters',
        '',
      ];
      const oldPath = nix('nix-build', [...opts, '--no-out-link', expr]);
      const refs = nix('nix-store', ['--store', root, '-q', '--references', oldPath]).split('\n');
      const oldDep = refs.find((r) => r !== oldPath)!;
      assert.ok(refs.includes(oldPath), 'the build refers to itself');
      const dump = (p: string) => nixRaw('nix', ['store', 'dump-path', '--store', root, p]);
      const oldNar = dump(oldPath);
      const depNar = dump(oldDep);
      const rewrites = JSON.parse(
        nix('nix', ['store', 'make-content-addressed', '--store', root, '--json', oldPath]),
      ) as {
        rewrites: Record<string, string>;
      };
      const nixNew = rewrites.rewrites[oldPath];
      const info = (
        JSON.parse(nix('nix', ['path-info', '--store', root, '--json', nixNew])) as {
          narHash: string;
          narSize: number;
          ca: string;
          references: string[];
        }[]
      )[0];

      const depModulo = await hashModulo(chunks(depNar, 64), dir.parsePath(oldDep).hashPart);
      const newDep = makeFixedOutputPath(
        depName,
        { method: 'recursive', hash: depModulo.hash },
        [],
        false,
        dir,
      );
      const rewritten = rewrite(oldNar, oldDep, dir.print(newDep));
      const oldHashPart = dir.parsePath(oldPath).hashPart;
      const m = await hashModulo(chunks(rewritten, randomInt(1, 200)), oldHashPart);
      assert.is(m.offsets.length, selfLine.split('$out').length);
      const newPath = makeSourcePath(name, m.hash, [newDep], true, dir);
      assert.is(dir.print(newPath), nixNew);
      assert.is(renderContentAddress({ method: 'recursive', hash: m.hash }), info.ca);
      const final = rewrite(rewritten, oldHashPart, newPath.hashPart);
      assert.is(hashBytes('sha256', final).toSri(), info.narHash);
      assert.is(final.length, info.narSize);
      assert.equal([...info.references].sort(), [dir.print(newDep), nixNew].sort());
      const ca = parseContentAddress(info.ca)!;
      assert.ok(
        isContentAddressed(
          { path: newPath, ca, references: info.references.map((r) => dir.parsePath(r)) },
          dir,
        ),
      );
    });
  },
);

test.run();
