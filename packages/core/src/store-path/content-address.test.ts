import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NIX,
  nix,
  type Requirement,
  requires,
  throwsWith,
  withTempDir,
} from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { HASH_ALGORITHMS } from '../hash/algorithm.js';
import { Hash } from '../hash/hash.js';
import { hashBytes } from '../hash/hasher.js';
import {
  type ContentAddress,
  isContentAddressed,
  parseContentAddress,
  renderContentAddress,
  storePathForContentAddress,
} from './content-address.js';
import { StoreDir } from './store-dir.js';
import { parseStorePathBaseName } from './store-path.js';

const test = suite('store-path/content-address');
const SQLITE3: Requirement = {
  name: 'sqlite3',
  check: () =>
    spawnSync('sqlite3', ['-version']).status === 0 ? null : 'needs the sqlite3 command line tool',
};
const nixSqliteTest = requires(test, NIX, SQLITE3);
const dir = new StoreDir();

const HELLO_NAR32 = '1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq';
const HELLO_NAR16 = '5849379a8b8cbfc4131d0c0f89ad020ea270d85f161e257b7d52135b58337ece';

test('vectors of §2.3 parse and render back', () => {
  const vectors = [
    `fixed:r:sha256:${HELLO_NAR32}`,
    'text:sha256:1x9gyyamm7d9p2hm06hx9vx6gm4sd1mksxqlqfxaajl44i34q0fr',
    'text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4',
    'fixed:sha256:1x9gyyamm7d9p2hm06hx9vx6gm4sd1mksxqlqfxaajl44i34q0fr',
    'fixed:sha1:dm9qj5vmm94bc3m04d6rpg97zpdwiyh9',
    'fixed:md5:4bi7001jxv64rprqbmjn10hqvl',
    'fixed:sha512:2l8i4p55is9b752lz454j2sisazrzmza89i37g9yi8kgy5drls8j3lcygxrmgnnsiw7567y5hb1pmpzghy218glh216rdcj9jlf5q89',
    'fixed:r:sha1:w3p57cfmxw8s6ninxyp34xa409nxhnwm',
    'fixed:r:sha256:1wxlpl7fmwdgz2721l3shxc68lcjdhp2pgqkb43bjl36ahl475hn',
    'fixed:r:sha256:172yi89g28gnx7jlpvj2xk0sdmji3w3g1qszzsnxljaa8fnjy91g',
  ];
  for (const v of vectors) assert.is(renderContentAddress(parseContentAddress(v)!), v);
  const ca = parseContentAddress(`fixed:r:sha256:${HELLO_NAR32}`)!;
  assert.is(ca.method, 'recursive');
  assert.is(ca.hash.toBase16(), HELLO_NAR16);
  assert.is(parseContentAddress('fixed:md5:4bi7001jxv64rprqbmjn10hqvl')!.method, 'flat');
  assert.is(
    parseContentAddress('text:sha256:1x9gyyamm7d9p2hm06hx9vx6gm4sd1mksxqlqfxaajl44i34q0fr')!.method,
    'text',
  );
  assert.is(parseContentAddress(''), undefined);
});

test('the digits may be base16 or base64 too (read by length); rendering uses Nix32', () => {
  const b64 = Buffer.from(HELLO_NAR16, 'hex').toString('base64');
  for (const digits of [HELLO_NAR16, HELLO_NAR16.toUpperCase(), b64]) {
    assert.is(
      renderContentAddress(parseContentAddress(`fixed:r:sha256:${digits}`)!),
      `fixed:r:sha256:${HELLO_NAR32}`,
    );
  }
});

test('every parse error, with Nix 2.8 messages (checked with nix path-info on a store DB)', () => {
  throwsWith(
    () => parseContentAddress('foo'),
    'STRATA_ERR_CA_BAD_FORM',
    "not a content address because it is not in the form '<prefix>:<rest>': foo",
  );
  throwsWith(
    () => parseContentAddress('foo:bar'),
    'STRATA_ERR_CA_BAD_PREFIX',
    "content address prefix 'foo' is unrecognized. Recogonized prefixes are 'text' or 'fixed'",
  );
  throwsWith(
    () => parseContentAddress('TEXT:sha256:abc'),
    'STRATA_ERR_CA_BAD_PREFIX',
    "content address prefix 'TEXT' is unrecognized. Recogonized prefixes are 'text' or 'fixed'",
  );
  throwsWith(
    () => parseContentAddress(':'),
    'STRATA_ERR_CA_BAD_PREFIX',
    "content address prefix '' is unrecognized. Recogonized prefixes are 'text' or 'fixed'",
  );
  for (const ca of [
    'text:sha256',
    'text:',
    'fixed:r:sha256',
    'fixed:r:',
    'fixed:',
    'fixed:r',
    'fixed:sha256-abc',
  ]) {
    throwsWith(
      () => parseContentAddress(ca),
      'STRATA_ERR_CA_BAD_HASH_FORM',
      `content address hash must be in form '<algo>:<hash>', but found: ${ca}`,
    );
  }
  throwsWith(
    () => parseContentAddress('text:sha1:dm9qj5vmm94bc3m04d6rpg97zpdwiyh9'),
    'STRATA_ERR_CA_TEXT_NOT_SHA256',
    'text content address hash should use sha256, but instead uses sha1',
  );
  throwsWith(
    () => parseContentAddress('fixed:sha3:abc'),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'sha3'",
  );
  throwsWith(
    () => parseContentAddress(`fixed:r:r:sha256:${HELLO_NAR32}`),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'r'",
  );
  throwsWith(
    () => parseContentAddress('fixed:git:sha1:abc'),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'git'",
  );
  throwsWith(
    () => parseContentAddress('fixed:r:sha256:abc'),
    'STRATA_ERR_HASH_WRONG_LENGTH',
    "hash 'abc' has wrong length for hash type 'sha256'",
  );
  throwsWith(
    () => parseContentAddress(`fixed:r:sha256:sha256:${HELLO_NAR32}`),
    'STRATA_ERR_HASH_WRONG_LENGTH',
    `hash 'sha256:${HELLO_NAR32}' has wrong length for hash type 'sha256'`,
  );
});

test('§2.4 table: the path a content address implies', () => {
  const hello = parseStorePathBaseName('xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
  const path = (ca: string, name: string, refs = [] as (typeof hello)[]) =>
    dir.print(storePathForContentAddress(name, parseContentAddress(ca)!, refs, dir));
  assert.is(
    path(`fixed:r:sha256:${HELLO_NAR32}`, 'hello.txt'),
    '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt',
  );
  assert.is(
    path('text:sha256:1x9gyyamm7d9p2hm06hx9vx6gm4sd1mksxqlqfxaajl44i34q0fr', 'hello.txt'),
    '/nix/store/i3vl5f9f521bladwcs3zi5gmc1pd6qr6-hello.txt',
  );
  assert.is(
    path('text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4', 'withref', [hello]),
    '/nix/store/x43i5lpkpmbhikzy8z64fz4hpqjsa008-withref',
  );
  assert.is(
    path('fixed:sha1:dm9qj5vmm94bc3m04d6rpg97zpdwiyh9', 'hello.txt'),
    '/nix/store/yrizb00rkq64ry8w0h09x7k4ni45bhrn-hello.txt',
  );
  assert.is(
    path('fixed:r:sha1:w3p57cfmxw8s6ninxyp34xa409nxhnwm', 'tree'),
    '/nix/store/nyv54blm3l307p5ykhfnpx6pq24ykw33-tree',
  );
  // V11: the source object with a self-reference.
  const dep = parseStorePathBaseName('6bx8z6gsnm03iadqwhgpmfhrg47sxks6-dep');
  const v11 = parseContentAddress(
    'fixed:r:sha256:172yi89g28gnx7jlpvj2xk0sdmji3w3g1qszzsnxljaa8fnjy91g',
  )!;
  assert.is(
    v11.hash.toBase16(),
    '2f242fad434a49daadfe5fe3f0061f51d6a6c1ec42ee4be5e9f621f1128a5e9c',
  );
  assert.is(
    dir.print(storePathForContentAddress('selfref', v11, [dep], dir, true)),
    '/nix/store/gwzwg4nysy0iy92fzadv0pwgq04asv3l-selfref',
  );
});

test('content addresses that cannot have the given references', () => {
  const hello = parseStorePathBaseName('xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
  const text = parseContentAddress(
    'text:sha256:1x9gyyamm7d9p2hm06hx9vx6gm4sd1mksxqlqfxaajl44i34q0fr',
  )!;
  throwsWith(
    () => storePathForContentAddress('hello.txt', text, [], dir, true),
    'STRATA_ERR_CA_TEXT_SELF_REFERENCE',
    "text object '/nix/store/i3vl5f9f521bladwcs3zi5gmc1pd6qr6-hello.txt' cannot refer to itself",
  );
  const flat = parseContentAddress('fixed:sha1:dm9qj5vmm94bc3m04d6rpg97zpdwiyh9')!;
  throwsWith(
    () => storePathForContentAddress('hello.txt', flat, [hello], dir),
    'STRATA_ERR_CA_REFERENCES_NOT_ALLOWED',
    "fixed-output path '/nix/store/yrizb00rkq64ry8w0h09x7k4ni45bhrn-hello.txt' cannot have references",
  );
});

test('isContentAddressed: recomputes the path from ca, name and references', () => {
  const p = (s: string) => dir.parsePath(s);
  const ca = (s: string) => parseContentAddress(s)!;
  const hello = p('/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt');
  const helloCa = ca(`fixed:r:sha256:${HELLO_NAR32}`);
  assert.ok(isContentAddressed({ path: hello, ca: helloCa, references: [] }, dir));
  assert.not.ok(isContentAddressed({ path: hello, references: [] }, dir));
  assert.not.ok(isContentAddressed({ path: hello, ca: undefined, references: [] }, dir));
  // Wrong name, wrong references, another store dir: not content-addressed.
  assert.not.ok(
    isContentAddressed(
      {
        path: p('/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.tx'),
        ca: helloCa,
        references: [],
      },
      dir,
    ),
  );
  const withref = p('/nix/store/x43i5lpkpmbhikzy8z64fz4hpqjsa008-withref');
  const withrefCa = ca('text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4');
  assert.ok(isContentAddressed({ path: withref, ca: withrefCa, references: [hello] }, dir));
  assert.not.ok(isContentAddressed({ path: withref, ca: withrefCa, references: [] }, dir));
  assert.not.ok(
    isContentAddressed({ path: withref, ca: withrefCa, references: [hello, withref] }, dir),
  );
  assert.not.ok(
    isContentAddressed({ path: hello, ca: helloCa, references: [] }, new StoreDir('/opt/store')),
  );
  // A self-reference of a fixed-output object counts as `:self` (V11).
  const v11 = p('/nix/store/gwzwg4nysy0iy92fzadv0pwgq04asv3l-selfref');
  const dep = p('/nix/store/6bx8z6gsnm03iadqwhgpmfhrg47sxks6-dep');
  const v11Ca = ca('fixed:r:sha256:172yi89g28gnx7jlpvj2xk0sdmji3w3g1qszzsnxljaa8fnjy91g');
  assert.ok(isContentAddressed({ path: v11, ca: v11Ca, references: [dep, v11] }, dir));
  assert.ok(isContentAddressed({ path: v11, ca: v11Ca, references: [v11, dep] }, dir));
  assert.not.ok(isContentAddressed({ path: v11, ca: v11Ca, references: [dep] }, dir));
  // Flat fixed outputs with references never match (and do not throw).
  const flat = p('/nix/store/yrizb00rkq64ry8w0h09x7k4ni45bhrn-hello.txt');
  const flatCa = ca('fixed:sha1:dm9qj5vmm94bc3m04d6rpg97zpdwiyh9');
  assert.ok(isContentAddressed({ path: flat, ca: flatCa, references: [] }, dir));
  assert.not.ok(isContentAddressed({ path: flat, ca: flatCa, references: [hello] }, dir));
  assert.not.ok(isContentAddressed({ path: flat, ca: flatCa, references: [flat] }, dir));
});

test('random content addresses round-trip', () => {
  for (let k = 0; k < 200; k++) {
    const method = (['text', 'flat', 'recursive'] as const)[randomInt(3)];
    const algo = method === 'text' ? 'sha256' : HASH_ALGORITHMS[randomInt(4)];
    const ca = { method, hash: hashBytes(algo, randomBytes(8)) } as ContentAddress;
    const s = renderContentAddress(ca);
    const back = parseContentAddress(s)!;
    assert.is(back.method, ca.method);
    assert.ok(back.hash.equals(ca.hash));
    assert.is(
      s,
      `${method === 'text' ? 'text' : method === 'recursive' ? 'fixed:r' : 'fixed'}:${ca.hash.toString('base32')}`,
    );
  }
});

// --- against Nix 2.8: the ca column of a real store database ------------------------------

function randomCaText(): string {
  const method = ['text:', 'fixed:', 'fixed:r:'][randomInt(3)];
  const algo = method === 'text:' && randomInt(4) > 0 ? 'sha256' : HASH_ALGORITHMS[randomInt(4)];
  const h = new Hash(algo, new Uint8Array(randomBytes(hashBytes(algo, '').bytes.length)));
  const enc = (['base16', 'base32', 'base64', 'sri'] as const)[randomInt(4)];
  let s = `${method}${algo}:${h.toString(enc, false)}`;
  switch (randomInt(6)) {
    case 0:
      s = s.slice(0, randomInt(s.length));
      break;
    case 1: {
      const i = randomInt(s.length);
      s = s.slice(0, i) + ':-=rR Xe'[randomInt(8)] + s.slice(i + 1);
      break;
    }
    case 2:
      s = s.replace(/^[a-z]+/, ['text', 'fixed', 'Fixed', 'source', ''][randomInt(5)]);
      break;
    default:
  }
  return s.replace(/'/g, '');
}

nixSqliteTest('random and mutated ca strings: Nix 2.8 reads them as Strata does', async () => {
  await withTempDir(async (tmp) => {
    const root = join(tmp, 'root');
    const file = join(tmp, 'f');
    writeFileSync(file, randomBytes(16));
    const path = nix('nix-store', ['--store', root, '--add', file]);
    const db = join(root, 'nix', 'var', 'nix', 'db', 'db.sqlite');
    for (let k = 0; k < 25; k++) {
      const caText = randomCaText();
      const set = spawnSync('sqlite3', [db, `update ValidPaths set ca = '${caText}'`]);
      assert.is(set.status, 0, String(set.stderr));
      const r = spawnSync('nix', ['path-info', '--store', root, '--json', path], {
        encoding: 'utf8',
        env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
      });
      const nixSays =
        r.status === 0
          ? ((JSON.parse(r.stdout) as { ca?: string }[])[0].ca ?? '')
          : (/^error: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr);
      let ours: string;
      try {
        const ca = parseContentAddress(caText);
        ours = ca === undefined ? '' : renderContentAddress(ca);
      } catch (e) {
        assert.ok(isStrataError(e), String(e));
        ours = e.message;
      }
      assert.is(ours, nixSays, caText);
    }
  });
});

test.run();
