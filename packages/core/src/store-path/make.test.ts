import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { HASH_ALGORITHMS } from '../hash/algorithm.js';
import { hashBytes, hashFile } from '../hash/hasher.js';
import { parseHash } from '../hash/parse.js';
import { parseContentAddress, renderContentAddress } from './content-address.js';
import {
  fixedOutputInnerHash,
  makeFixedOutputPath,
  makeOutputPath,
  makeSourcePath,
  makeStorePath,
  makeStorePathType,
  makeTextPath,
  storePathFingerprint,
} from './make.js';
import { StoreDir } from './store-dir.js';
import { parseStorePathBaseName, type StorePath } from './store-path.js';

const test = suite('store-path/make');
const nixTest = requires(test, NIX);
const dir = new StoreDir();
const full = (p: StorePath) => dir.print(p);
const base = (s: string) => parseStorePathBaseName(s);

const HELLO = 'Hello, world!\n';
const HELLO_NAR = parseHash(
  'sha256:5849379a8b8cbfc4131d0c0f89ad020ea270d85f161e257b7d52135b58337ece',
);

// --- golden vectors of spec store-format §2 (made with Nix 2.8.0) --------------------------

test('V4/§2.2: source path of hello.txt, with its fingerprint', () => {
  assert.is(
    storePathFingerprint('source', HELLO_NAR, 'hello.txt', dir),
    'source:sha256:5849379a8b8cbfc4131d0c0f89ad020ea270d85f161e257b7d52135b58337ece:/nix/store:hello.txt',
  );
  assert.is(
    full(makeSourcePath('hello.txt', HELLO_NAR, [], false, dir)),
    '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt',
  );
  assert.is(HELLO_NAR.toBase32(), '1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq');
  // --add-fixed --recursive sha256 is the same source path.
  assert.is(
    full(
      makeFixedOutputPath('hello.txt', { method: 'recursive', hash: HELLO_NAR }, [], false, dir),
    ),
    '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt',
  );
});

test('V7: the logical store dir is part of the hash', () => {
  const opt = new StoreDir('/opt/store');
  assert.is(
    storePathFingerprint('source', HELLO_NAR, 'hello.txt', opt),
    'source:sha256:5849379a8b8cbfc4131d0c0f89ad020ea270d85f161e257b7d52135b58337ece:/opt/store:hello.txt',
  );
  assert.is(
    opt.print(makeSourcePath('hello.txt', HELLO_NAR, [], false, opt)),
    '/opt/store/p8jy1jarb5z7rhbxh41iln82lxkhxz5p-hello.txt',
  );
});

test('V5: the same bytes as text and as flat fixed outputs of every algorithm', () => {
  const contentHash = hashBytes('sha256', HELLO);
  assert.is(
    storePathFingerprint('text', contentHash, 'hello.txt', dir),
    'text:sha256:d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5:/nix/store:hello.txt',
  );
  assert.is(
    full(makeTextPath('hello.txt', contentHash, [], dir)),
    '/nix/store/i3vl5f9f521bladwcs3zi5gmc1pd6qr6-hello.txt',
  );
  const rows = [
    [
      'sha256',
      'fixed:out:sha256:d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5:',
      '6g99pcrpapn5x08wpcyiq20wj4qgml24',
      'fixed:sha256:1x9gyyamm7d9p2hm06hx9vx6gm4sd1mksxqlqfxaajl44i34q0fr',
    ],
    [
      'sha1',
      'fixed:out:sha1:09fac8dbfd27bd9b4d23a00eb648aa751789536d:',
      'yrizb00rkq64ry8w0h09x7k4ni45bhrn',
      'fixed:sha1:dm9qj5vmm94bc3m04d6rpg97zpdwiyh9',
    ],
    [
      'md5',
      'fixed:out:md5:746308829575e17c3331bbcb00c0898b:',
      'k0k3icc1d4zax821hg1vykbis98d79jm',
      'fixed:md5:4bi7001jxv64rprqbmjn10hqvl',
    ],
    [
      'sha512',
      undefined,
      '7ygavi426bpsiim0bj1fnankidyf27yn',
      'fixed:sha512:2l8i4p55is9b752lz454j2sisazrzmza89i37g9yi8kgy5drls8j3lcygxrmgnnsiw7567y5hb1pmpzghy218glh216rdcj9jlf5q89',
    ],
  ] as const;
  for (const [algo, inner, hashPart, ca] of rows) {
    const hash = hashBytes(algo, HELLO);
    if (inner)
      assert.ok(fixedOutputInnerHash({ method: 'flat', hash }).equals(hashBytes('sha256', inner)));
    const p = makeFixedOutputPath('hello.txt', { method: 'flat', hash }, [], false, dir);
    assert.is(full(p), `/nix/store/${hashPart}-hello.txt`, algo);
    assert.is(renderContentAddress({ method: 'flat', hash }), ca);
  }
  assert.is(
    storePathFingerprint(
      'output:out',
      fixedOutputInnerHash({ method: 'flat', hash: contentHash }),
      'hello.txt',
      dir,
    ),
    'output:out:sha256:10387f29368b19b6d1b43172c65dd9d894162b2a322ca47faf8ba1c7704a6f21:/nix/store:hello.txt',
  );
});

test('V6: text with one and with two references (sorted by base name)', () => {
  const hello = base('xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
  const dep = base('wkb38adhw4i46sxpcl84c1g6wxsylyag-dep');
  const one = `see ${full(hello)}\n`;
  assert.is(
    storePathFingerprint(
      makeStorePathType('text', [hello], false, dir),
      hashBytes('sha256', one),
      'withref',
      dir,
    ),
    'text:/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt:sha256:e4850dcbfe55c827470a4153052b0246fee0dcb154324e2fc7b31caa02c43c31:/nix/store:withref',
  );
  assert.is(
    full(makeTextPath('withref', hashBytes('sha256', one), [hello], dir)),
    '/nix/store/x43i5lpkpmbhikzy8z64fz4hpqjsa008-withref',
  );
  const two = `${full(hello)} ${full(dep)}`;
  assert.is(
    hashBytes('sha256', two).toBase16(),
    'fc207ead578ae91a0a4854bf5df2c34b9e4632e15476ee0231ae8b01dd44e942',
  );
  // References are sorted (and deduplicated) whatever order they come in.
  for (const refs of [
    [hello, dep],
    [dep, hello],
    [hello, dep, hello],
  ]) {
    assert.is(
      full(makeTextPath('two', hashBytes('sha256', two), refs, dir)),
      '/nix/store/0sq2n8qh7k0z5b7ids1lg9fv98kzmrbc-two',
    );
  }
  assert.is(
    makeStorePathType('text', [hello, dep], false, dir),
    'text:/nix/store/wkb38adhw4i46sxpcl84c1g6wxsylyag-dep:/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt',
  );
});

test('V8/V9: directories, recursive sha256 (source) and recursive sha1 (output:out)', () => {
  const small = parseHash(
    'sha256:623b5fe0e3362cc3af6c86e997f7f5f71fb22f7c28fe631e07ed4840b74566f7',
  );
  assert.is(small.toBase32(), '1xv68nvl0j7d0wg67zi8ghpv47zpypvrgsc6djpw6b1nwgh5yfv2');
  assert.is(
    full(makeSourcePath('small', small, [], false, dir)),
    '/nix/store/cp3cw354sdsgxgrwybi9cl6q9ra40s2s-small',
  );
  const tree = parseHash('sha256:16964328546650b9065913bf2b2e6c92516458877ad0208ef8aff1ea0ebdb4f3');
  assert.is(
    full(makeSourcePath('tree', tree, [], false, dir)),
    '/nix/store/pvf1gn3q0prp5p3ssignqkwz4b7jqxzy-tree',
  );
  assert.is(
    renderContentAddress({ method: 'recursive', hash: tree }),
    'fixed:r:sha256:1wxlpl7fmwdgz2721l3shxc68lcjdhp2pgqkb43bjl36ahl475hn',
  );
  const sha1 = parseHash('sha1:955bd86d02447532aeef365aa311efd5b153eee0');
  assert.ok(
    fixedOutputInnerHash({ method: 'recursive', hash: sha1 }).equals(
      hashBytes('sha256', 'fixed:out:r:sha1:955bd86d02447532aeef365aa311efd5b153eee0:'),
    ),
  );
  assert.is(
    full(makeFixedOutputPath('tree', { method: 'recursive', hash: sha1 }, [], false, dir)),
    '/nix/store/nyv54blm3l307p5ykhfnpx6pq24ykw33-tree',
  );
  assert.is(
    renderContentAddress({ method: 'recursive', hash: sha1 }),
    'fixed:r:sha1:w3p57cfmxw8s6ninxyp34xa409nxhnwm',
  );
});

test('V10: derivation outputs and .drv text paths', () => {
  const simple = parseHash(
    'sha256:cbd84a88dac33c14a874f676ab17db2518d565dc03e891ccf9d4be35138ea813',
  );
  const aterm =
    'Derive([("out","","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo hello > $out"],[("builder","/bin/sh"),("name","simple"),("out",""),("system","x86_64-linux")])';
  assert.ok(hashBytes('sha256', aterm).equals(simple));
  assert.is(
    storePathFingerprint('output:out', simple, 'simple', dir),
    'output:out:sha256:cbd84a88dac33c14a874f676ab17db2518d565dc03e891ccf9d4be35138ea813:/nix/store:simple',
  );
  const out = makeOutputPath('out', simple, 'simple', dir);
  assert.is(full(out), '/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple');
  // The .drv file is the ATerm with the output path filled in, stored as text.
  const drv = `Derive([("out","${full(out)}","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo hello > $out"],[("builder","/bin/sh"),("name","simple"),("out","${full(out)}"),("system","x86_64-linux")])`;
  assert.is(
    full(makeTextPath('simple.drv', hashBytes('sha256', drv), [], dir)),
    '/nix/store/3ghsl9sd83mc26i81adpa2fzf3yw4f68-simple.drv',
  );
  const multi = parseHash(
    'sha256:3ef8522807ef24fb92a1cf7fe282b5825569141079113e50b0d1cf66ffda9c68',
  );
  assert.is(
    full(makeOutputPath('out', multi, 'multi', dir)),
    '/nix/store/a3d95yg9d215c54n0ybr4npmpnj29229-multi',
  );
  assert.is(
    full(makeOutputPath('dev', multi, 'multi', dir)),
    '/nix/store/hq3b99lz71gwfq6x8lqwg14hf929q0d2-multi-dev',
  );
  assert.is(
    storePathFingerprint('output:dev', multi, 'multi-dev', dir),
    'output:dev:sha256:3ef8522807ef24fb92a1cf7fe282b5825569141079113e50b0d1cf66ffda9c68:/nix/store:multi-dev',
  );
  const selfrefDrv = parseHash(
    'sha256:2244be92f4c2b4adad49ce183471209d73371eed119db007b7627490efa5c3e5',
  );
  assert.is(
    full(
      makeTextPath('selfref.drv', selfrefDrv, [base('wkb38adhw4i46sxpcl84c1g6wxsylyag-dep')], dir),
    ),
    '/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-selfref.drv',
  );
});

// --- refusals ------------------------------------------------------------------------------

test('names are validated with the computed base name in the message (as Nix)', () => {
  const h = hashBytes('sha256', 'c1');
  // Nix 2.8: builtins.toFile "a b" "c1" → store path 'varjj5nir5177618svp05whrdvnwgf57-a b' …
  throwsWith(
    () => makeTextPath('a b', h, [], dir),
    'STRATA_ERR_STORE_PATH_BAD_NAME_CHAR',
    "store path 'varjj5nir5177618svp05whrdvnwgf57-a b' contains illegal character ' '",
  );
  assert.throws(() => makeTextPath('', h, [], dir), /has an empty name/);
  assert.throws(
    () => makeTextPath('a'.repeat(212), h, [], dir),
    /has a name longer than 211 characters/,
  );
  makeTextPath('a'.repeat(211), h, [], dir);
  // Names Nix 2.8 still produces but master forbids are never produced.
  const dot = makeStorePathType('text', [], false, dir);
  for (const name of ['.', '..', '.-x', '..-x']) {
    try {
      makeStorePath(dot, h, name, dir);
      assert.unreachable(name);
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_STORE_PATH_DOT_NAME'), name);
      assert.match(
        e.message,
        new RegExp(
          `^path '/nix/store/[0-9a-z]{32}-${name.replace(/\./g, '\\.')}' is not a valid store path: name '${name.replace(/\./g, '\\.')}' is not allowed$`,
        ),
      );
    }
  }
  makeTextPath('.hidden', h, [], dir);
  makeTextPath('...', h, [], dir);
});

test('wrong algorithms and references where they are not allowed', () => {
  const md5 = hashBytes('md5', 'x');
  throwsWith(
    () => makeTextPath('t', md5, [], dir),
    'STRATA_ERR_CA_TEXT_NOT_SHA256',
    'text content address hash should use sha256, but instead uses md5',
  );
  throwsWith(
    () => makeSourcePath('s', md5, [], false, dir),
    'STRATA_ERR_HASH_WRONG_TYPE',
    `hash '${md5.toString('base32')}' should have type 'sha256'`,
  );
  throwsWith(
    () => makeOutputPath('out', md5, 'd', dir),
    'STRATA_ERR_HASH_WRONG_TYPE',
    `hash '${md5.toString('base32')}' should have type 'sha256'`,
  );
  const ref = base('xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
  const flat = { method: 'flat', hash: hashBytes('sha256', HELLO) } as const;
  const expected = full(makeFixedOutputPath('hello.txt', flat, [], false, dir));
  for (const [refs, self] of [
    [[ref], false],
    [[], true],
  ] as const) {
    throwsWith(
      () => makeFixedOutputPath('hello.txt', flat, refs, self, dir),
      'STRATA_ERR_CA_REFERENCES_NOT_ALLOWED',
      `fixed-output path '${expected}' cannot have references`,
    );
  }
  // Recursive sha256 is a source path and may have references and a self-reference.
  const withRefs = makeFixedOutputPath(
    'x',
    { method: 'recursive', hash: HELLO_NAR },
    [ref],
    true,
    dir,
  );
  assert.ok(withRefs.equals(makeSourcePath('x', HELLO_NAR, [ref], true, dir)));
  assert.is(makeStorePathType('source', [ref], true, dir), `source:${full(ref)}:self`);
});

// --- against Nix 2.8 on fresh random inputs ------------------------------------------------

const NAME_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?=';

function randomName(maxLength = 30): string {
  for (;;) {
    const n = randomInt(1, maxLength + 1);
    let s = '';
    for (let i = 0; i < n; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
    // Master's dot rule (Strata refuses such names), and a file name Nix would see as `.`.
    if (!s.startsWith('.')) return s;
  }
}

/**
 * A fresh chroot store at `root`: half of the time with the default logical store dir, else
 * with a random one. `realDir` is where its objects lie on disk.
 */
function randomStore(root: string): { url: string; storeDir: StoreDir; realDir: string } {
  if (randomInt(2) === 0) {
    return { url: root, storeDir: new StoreDir(), realDir: join(root, 'nix', 'store') };
  }
  const logical = `/${randomName(8).replace(/^-/, 'x')}/${randomName(12)}`;
  const url = `local?store=${encodeURIComponent(logical)}&real=${root}/real&state=${root}/state&log=${root}/log`;
  return { url, storeDir: new StoreDir(logical), realDir: join(root, 'real') };
}

function pathInfos(store: string, paths: string[]): Map<string, { ca?: string; narHash: string }> {
  const json = JSON.parse(nix('nix', ['path-info', '--store', store, '--json', ...paths])) as {
    path: string;
    ca?: string;
    narHash: string;
  }[];
  return new Map(json.map((i) => [i.path, i]));
}

/** `withTempDir` that can still clean up when not root: Nix makes store directories read-only. */
function withStoreTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(async (dir) => {
    try {
      await fn(dir);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', dir]);
    }
  });
}

nixTest('nix-store --add / --add-fixed [--recursive] paths and ca equal make*', async () => {
  await withStoreTempDir(async (tmp) => {
    const { url, storeDir } = randomStore(join(tmp, 'root'));
    const src = join(tmp, 'src');
    mkdirSync(src);
    const names = new Set<string>();
    while (names.size < 6) names.add(randomName(names.size === 0 ? 211 : 30));
    const files = [...names].map((name) => {
      const file = join(src, name);
      writeFileSync(file, randomBytes(randomInt(0, 3000)));
      return file;
    });
    const tree = join(src, randomName());
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'a'), randomBytes(100));
    writeFileSync(join(tree, 'sub', 'b'), randomBytes(10), { mode: 0o755 });
    const all = [...files, tree];
    const narSha256 = nix('nix-hash', ['--type', 'sha256', ...all]).split('\n');
    const added = nix('nix-store', ['--store', url, '--add', ...all]).split('\n');
    const nameOf = (f: string) => f.slice(f.lastIndexOf('/') + 1);
    const expectedAdd = all.map((f, i) =>
      storeDir.print(
        makeSourcePath(nameOf(f), parseHash(narSha256[i], 'sha256'), [], false, storeDir),
      ),
    );
    assert.equal(added, expectedAdd);
    const produced = [...added];
    const cas = added.map(
      (_, i) => `fixed:r:sha256:${parseHash(narSha256[i], 'sha256').toBase32()}`,
    );
    for (const algo of HASH_ALGORITHMS) {
      const flat = nix('nix-store', ['--store', url, '--add-fixed', algo, ...files]).split('\n');
      for (const [i, f] of files.entries()) {
        const hash = await hashFile(algo, f);
        assert.is(
          flat[i],
          storeDir.print(
            makeFixedOutputPath(nameOf(f), { method: 'flat', hash }, [], false, storeDir),
          ),
        );
        produced.push(flat[i]);
        cas.push(renderContentAddress({ method: 'flat', hash }));
      }
      const narHashes = nix('nix-hash', ['--type', algo, ...all]).split('\n');
      const rec = nix('nix-store', [
        '--store',
        url,
        '--add-fixed',
        '--recursive',
        algo,
        ...all,
      ]).split('\n');
      for (const [i, f] of all.entries()) {
        const hash = parseHash(narHashes[i], algo);
        assert.is(
          rec[i],
          storeDir.print(
            makeFixedOutputPath(nameOf(f), { method: 'recursive', hash }, [], false, storeDir),
          ),
        );
        produced.push(rec[i]);
        cas.push(renderContentAddress({ method: 'recursive', hash }));
      }
    }
    const infos = pathInfos(url, [...new Set(produced)]);
    for (const [i, p] of produced.entries()) {
      const ca = infos.get(p)?.ca;
      assert.is(ca, cas[i], p);
      assert.is(renderContentAddress(parseContentAddress(ca as string)!), ca);
    }
  });
});

function nixString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n')}"`;
}

nixTest('builtins.toFile paths, with and without references, equal makeTextPath', async () => {
  await withTempDir(async (tmp) => {
    const { url, storeDir, realDir } = randomStore(join(tmp, 'root'));
    const srcFile = join(tmp, randomName());
    writeFileSync(srcFile, randomBytes(200));
    const srcNar = parseHash(nix('nix-hash', ['--type', 'sha256', srcFile]), 'sha256');
    const srcPath = makeSourcePath(
      srcFile.slice(srcFile.lastIndexOf('/') + 1),
      srcNar,
      [],
      false,
      storeDir,
    );
    // Each entry: [name, literal parts, indices of earlier entries (or -1 = the source file)
    // whose path is interpolated after each part].
    type Entry = { name: string; parts: string[]; refs: number[] };
    const entries: Entry[] = [];
    const CHARS = 'abc XYZ 012\n\t"\\$é{}';
    const randomText = () =>
      Array.from({ length: randomInt(0, 40) }, () => CHARS[randomInt(CHARS.length)]).join('');
    for (let i = 0; i < 8; i++) {
      const refs = i === 0 ? [] : Array.from({ length: randomInt(0, 4) }, () => randomInt(-1, i));
      entries.push({
        name: randomName(i === 1 ? 211 : 30),
        parts: [randomText(), ...refs.map(randomText)],
        refs,
      });
    }
    const vars = entries.map((_, i) => `e${i}`);
    const exprOf = (e: Entry) => {
      let s = nixString(e.parts[0]);
      e.refs.forEach((r, k) => {
        const ref = r < 0 ? `/. + ${nixString(srcFile)}` : vars[r];
        s += ` + "\${${ref}}" + ${nixString(e.parts[k + 1])}`;
      });
      return `builtins.toFile ${nixString(e.name)} (${s})`;
    };
    const expr = `let ${entries.map((e, i) => `${vars[i]} = ${exprOf(e)};`).join(' ')} in [ ${vars.join(' ')} ]`;
    const out = JSON.parse(
      nix('nix-instantiate', [
        '--store',
        url,
        '--read-write-mode',
        '--eval',
        '--strict',
        '--json',
        '-E',
        expr,
      ]),
    ) as string[];
    const ours: StorePath[] = [];
    for (const e of entries) {
      const refPaths = e.refs.map((r) => (r < 0 ? srcPath : ours[r]));
      let contents = e.parts[0];
      refPaths.forEach((p, k) => {
        contents += storeDir.print(p) + e.parts[k + 1];
      });
      ours.push(makeTextPath(e.name, hashBytes('sha256', contents), refPaths, storeDir));
    }
    assert.equal(
      out,
      ours.map((p) => storeDir.print(p)),
      expr,
    );
    // The store wrote the same bytes we hashed.
    const written = readFileSync(join(realDir, out[0].slice(storeDir.path.length + 1)));
    assert.ok(hashBytes('sha256', written).equals(hashBytes('sha256', entries[0].parts[0])));
  });
});

test.run();
