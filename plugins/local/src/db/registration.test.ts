import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashBytes } from '@strata/core/hash';
import { makePathInfo, type PathInfo, pathInfoToJson, renderNixJson } from '@strata/core/path-info';
import { StoreDir } from '@strata/core/store-path';
import { NIX, requires, throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openStoreDatabase, type StoreDatabase } from './store-database.js';
import { makeNixStore, type NixStoreFixture, run } from './testing.js';

const test = suite('local db: registration, read back by Nix 2.8');
const nixTest = requires(test, NIX);

const ROW_SQL =
  'select path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca, typeof(deriver), typeof(sigs), typeof(ca), typeof(ultimate), typeof(narSize) from ValidPaths order by path;' +
  'select a.path, b.path from Refs join ValidPaths a on referrer = a.id join ValidPaths b on reference = b.id order by 1, 2;' +
  'select v.path, d.id, d.path from DerivationOutputs d join ValidPaths v on drv = v.id order by 1, 2;';
const sql = (root: string, s: string) =>
  execFileSync('sqlite3', [join(root, 'nix/var/nix/db/db.sqlite'), s], { encoding: 'utf8' });

/** A Nix-made store A, and an empty store B whose database Strata creates. */
function twoStores(dir: string): {
  f: NixStoreFixture;
  infos: PathInfo[];
  b: string;
  db: StoreDatabase;
} {
  const f = makeNixStore(join(dir, 'a'));
  const a = openStoreDatabase({
    dbDir: f.dbDir,
    storeDir: new StoreDir(),
    realStoreDir: f.realStoreDir,
    readOnly: true,
  });
  const infos = f.all.map((p) => a.queries.queryPathInfo(p));
  a.close();
  const b = join(dir, 'b');
  mkdirSync(join(b, 'nix/store'), { recursive: true });
  // The objects are already canonical (mode 0444/0555, mtime 1) in A; copy them as they are.
  for (const p of f.all) execFileSync('cp', ['-a', join(f.root, p), join(b, 'nix/store')]);
  const db = openStoreDatabase({
    dbDir: join(b, 'nix/var/nix/db'),
    storeDir: new StoreDir(),
    realStoreDir: join(b, 'nix/store'),
    create: true,
  });
  return { f, infos, b, db };
}

function nixJson(root: string, paths: string[]): string {
  const drvs = paths.filter((p) => p.endsWith('.drv'));
  const others = paths.filter((p) => !p.endsWith('.drv'));
  return [
    run('nix', ['path-info', '--json', '--store', root, ...others]),
    run('nix', ['path-info', '--json', '--derivation', '--store', root, ...drvs]),
  ].join('\n');
}

function ourJson(infos: PathInfo[]): string {
  const render = (ps: PathInfo[]) => renderNixJson(ps.map((i) => pathInfoToJson(i)));
  const sorted = [...infos].sort((x, y) => (x.path < y.path ? -1 : 1));
  return [
    render(sorted.filter((i) => !i.path.endsWith('.drv'))),
    render(sorted.filter((i) => i.path.endsWith('.drv'))),
  ].join('\n');
}

nixTest('registering what Nix registered gives the same rows, and Nix reads them', () =>
  withTempDir((dir) => {
    const { f, infos, b, db } = twoStores(dir);
    // Referrers before their references, in one batch: order within a batch does not matter.
    db.writer().registerValidPaths([...infos].reverse());
    assert.is(sql(b, ROW_SQL), sql(f.root, ROW_SQL));
    assert.is(nixJson(b, f.all), nixJson(f.root, f.all));
    for (const p of f.all) {
      for (const flag of ['--references', '--referrers', '--hash', '--size', '--deriver']) {
        const q = (root: string) => run('nix-store', ['--store', root, '-q', flag, p]);
        assert.is(q(b), q(f.root), `${flag} ${p}`);
      }
    }
    for (const drv of [f.multiDrv, f.fixedDrv]) {
      const q = (root: string) => run('nix-store', ['--store', root, '-q', '--outputs', drv]);
      assert.is(q(b), q(f.root));
    }
    db.close();
    const verify = spawnSync('nix-store', ['--store', b, '--verify', '--check-contents'], {
      encoding: 'utf8',
    });
    assert.is(verify.status, 0, verify.stderr);
    assert.not.match(verify.stderr, /error|modified|invalid/);
  }),
);

nixTest('ultimate, deriver, registration time, sizes and signatures round-trip through Nix', () =>
  withTempDir((dir) => {
    const { f, infos, b, db } = twoStores(dir);
    const changed = infos.map((i, n) => ({
      ...i,
      registrationTime: 1_700_000_000 + n,
      ultimate: n % 2 === 0,
      sigs: n % 3 === 0 ? [...i.sigs, `strata-${n}:c2lnbmF0dXJl`] : i.sigs,
      ...(i.ca === undefined ? { deriver: f.fixedDrv } : {}),
    }));
    db.writer().registerValidPaths(changed);
    assert.is(nixJson(b, f.all), ourJson(changed));
    assert.is(ourJson(f.all.map((p) => db.queries.queryPathInfo(p))), ourJson(changed));
    db.close();
  }),
);

nixTest('re-registering updates hash, size, ultimate, sigs and ca but not deriver or time', () =>
  withTempDir((dir) => {
    const { f, infos, b, db } = twoStores(dir);
    const w = db.writer();
    w.registerValidPaths(infos);
    const self = db.queries.queryPathInfo(f.selfRef);
    const other = hashBytes('sha256', 'other');
    w.registerValidPaths([
      {
        ...self,
        narHash: other,
        narSize: 0,
        ultimate: true,
        sigs: ['z:AAAA'],
        deriver: f.fixedDrv,
        registrationTime: 5,
      },
    ]);
    const after = db.queries.queryPathInfo(f.selfRef);
    assert.ok(after.narHash.equals(other));
    assert.is(after.narSize, 0);
    assert.is(after.ultimate, true);
    assert.equal(after.sigs, ['z:AAAA']);
    assert.is(after.deriver, f.multiDrv);
    assert.is(after.registrationTime, self.registrationTime);
    assert.is(sql(b, `select narSize is null from ValidPaths where path = '${f.selfRef}'`), '1\n');
    assert.is(
      run('nix-store', ['--store', b, '-q', '--hash', f.selfRef]),
      other.toString('base32'),
    );
    db.close();
  }),
);

nixTest('a failing batch changes nothing', () =>
  withTempDir((dir) => {
    const { f, infos, b, db } = twoStores(dir);
    const w = db.writer();
    const byPath = new Map(infos.map((i) => [i.path, i]));
    w.registerValidPaths([byPath.get(f.textA) as PathInfo, byPath.get(f.added) as PathInfo]);
    const before = sql(b, '.dump');
    const missing = '/nix/store/00000000000000000000000000000000-missing';
    const fake = (name: string, references: string[] = []) =>
      makePathInfo({
        path: `/nix/store/${name}`,
        narHash: hashBytes('sha256', name),
        narSize: 8,
        references,
      });
    const p1 = '11111111111111111111111111111111-one';
    const p2 = '22222222222222222222222222222222-two';
    const cases: [PathInfo[], Parameters<typeof throwsWith>[1], string][] = [
      [
        [fake(p1), fake(p2, [missing])],
        'STRATA_ERR_STORE_NOT_VALID',
        `path '${missing}' is not valid`,
      ],
      [
        [fake(p1, [`/nix/store/${p2}`]), fake(p2, [`/nix/store/${p1}`])],
        'STRATA_ERR_STORE_REFERENCE_CYCLE',
        `cycle detected in the references of '/nix/store/${p1}' from '/nix/store/${p2}'`,
      ],
      [
        [fake(p1), { ...fake(p2), ca: (byPath.get(f.added) as PathInfo).ca }],
        'STRATA_ERR_CA_NOT_CONTENT_ADDRESSED',
        `cannot add path '/nix/store/${p2}' to the Nix store because it claims to be content-addressed but isn't`,
      ],
      [
        [fake(p1), { ...fake(p2), narHash: hashBytes('sha1', 'x') }],
        'STRATA_ERR_HASH_WRONG_TYPE',
        `hash '${hashBytes('sha1', 'x').toString()}' should have type 'sha256'`,
      ],
      [
        [fake(p1), fake('33333333333333333333333333333333-x.drv')],
        'STRATA_ERR_IO_FAILED',
        `opening file '${b}/nix/store/33333333333333333333333333333333-x.drv': No such file or directory`,
      ],
      [
        [fake(p1), fake('bad-path')],
        'STRATA_ERR_STORE_PATH_TOO_SHORT',
        "'bad-path' is too short to be a valid store path",
      ],
    ];
    for (const [batch, code, message] of cases) {
      throwsWith(() => w.registerValidPaths(batch), code, message);
      assert.is(sql(b, '.dump'), before, message);
    }
    const drv = '44444444444444444444444444444444-bad.drv';
    writeFileSync(join(b, 'nix/store', drv), 'Derive([("out","/nix/store/x"');
    throwsWith(
      () => w.registerValidPaths([fake(p1), fake(drv)]),
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '/nix/store/${drv}': error: expected string ','`,
    );
    assert.is(sql(b, '.dump'), before);
    db.close();
  }),
);

nixTest('invalidatePath refuses paths in use, and drops rows, references and outputs', () =>
  withTempDir((dir) => {
    const { f, infos, b, db } = twoStores(dir);
    const w = db.writer();
    w.registerValidPaths(infos);
    throwsWith(
      () => w.invalidatePath(f.textA),
      'STRATA_ERR_LOCALDB_PATH_IN_USE',
      `cannot delete path '${f.textA}' because it is in use by '${f.selfRef}', '${f.textB}'`,
    );
    w.invalidatePath(f.selfRef);
    assert.not.ok(db.queries.isValidPath(f.selfRef));
    assert.is(run('nix-store', ['--store', b, '-q', '--referrers', f.textA]), f.textB);
    const check = spawnSync('nix-store', ['--store', b, '--check-validity', f.selfRef], {
      encoding: 'utf8',
    });
    assert.is(check.stderr.trim(), `error: path '${f.selfRef}' is not valid`);
    w.invalidatePath(f.multiDrv);
    assert.equal(db.queries.queryValidDerivers(f.multiOut), []);
    assert.is(sql(b, 'select count(*) from DerivationOutputs'), '1\n');
    w.invalidatePath(f.multiDrv);
    w.invalidatePath(f.textB);
    w.invalidatePath(f.textA);
    assert.equal(db.queries.queryAllValidPaths(), [f.fixedDrv, f.addedDir, f.added].sort());
    db.close();
  }),
);

nixTest('addSignatures merges into the set Nix shows', () =>
  withTempDir((dir) => {
    const { f, infos, b, db } = twoStores(dir);
    const w = db.writer();
    w.registerValidPaths(infos);
    const old = db.queries.queryPathInfo(f.added).sigs;
    w.addSignatures(f.added, ['a-key:AAAA', old[0], 'z-key:BBBB']);
    const expected = ['a-key:AAAA', ...old, 'z-key:BBBB'];
    assert.equal(db.queries.queryPathInfo(f.added).sigs, expected);
    const json = JSON.parse(run('nix', ['path-info', '--json', '--store', b, f.added]));
    assert.equal(json[0].signatures, expected);
    const missing = '/nix/store/00000000000000000000000000000000-missing';
    throwsWith(
      () => w.addSignatures(missing, ['a:AAAA']),
      'STRATA_ERR_STORE_NOT_VALID',
      `path '${missing}' is not valid`,
    );
    db.close();
  }),
);

test.run();
