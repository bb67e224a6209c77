import { execFileSync } from 'node:child_process';
import { pathInfoToJson, renderNixJson } from '@strata/core/path-info';
import { StoreDir } from '@strata/core/store-path';
import { NIX, requires, throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openStoreDatabase, type StoreDatabase } from './store-database.js';
import { makeNixStore, type NixStoreFixture, run } from './testing.js';

const test = suite('local db: queries of a store Nix 2.8 made');
const nixTest = requires(test, NIX);

function open(f: NixStoreFixture, readOnly = false): StoreDatabase {
  return openStoreDatabase({
    dbDir: f.dbDir,
    storeDir: new StoreDir(),
    realStoreDir: f.realStoreDir,
    readOnly,
  });
}

const lines = (s: string) => (s === '' ? [] : s.split('\n'));

nixTest('path infos, references and referrers read as Nix reads them', () =>
  withTempDir((dir) => {
    const f = makeNixStore(dir);
    for (const readOnly of [false, true]) {
      const db = open(f, readOnly);
      const q = db.queries;
      assert.equal(q.queryAllValidPaths(), f.all);
      assert.equal(
        q.queryAllValidPaths(),
        lines(run('nix', ['path-info', '--store', f.root, '--all'])).sort(),
      );
      // A .drv argument means its outputs unless --derivation is given.
      const drvs = f.all.filter((p) => p.endsWith('.drv'));
      const others = f.all.filter((p) => !p.endsWith('.drv'));
      const ours = (paths: string[]) =>
        renderNixJson(paths.map((p) => pathInfoToJson(q.queryPathInfo(p))));
      assert.is(ours(others), run('nix', ['path-info', '--json', '--store', f.root, ...others]));
      assert.is(
        ours(drvs),
        run('nix', ['path-info', '--json', '--derivation', '--store', f.root, ...drvs]),
      );
      for (const p of f.all) {
        const nixQ = (flag: string) => run('nix-store', ['--store', f.root, '-q', flag, p]);
        // nix-store prints a set in its own order; compare as sets.
        const nixSet = (flag: string) => lines(nixQ(flag)).sort();
        const info = q.queryPathInfo(p);
        assert.equal(q.queryReferences(p), nixSet('--references'));
        assert.equal(info.references, nixSet('--references'));
        assert.equal(q.queryReferrers(p), nixSet('--referrers'));
        assert.is(info.narHash.toString('base32'), nixQ('--hash'));
        assert.is(String(info.narSize), nixQ('--size'));
        assert.is(info.deriver ?? 'unknown-deriver', nixQ('--deriver'));
        assert.ok(q.isValidPath(p));
      }
      const self = q.queryPathInfo(f.selfRef);
      assert.equal(self.references, [f.selfRef, f.textA].sort());
      assert.is(self.deriver, f.multiDrv);
      assert.equal(q.queryReferrers(f.selfRef), [f.selfRef]);
      assert.equal(q.queryReferrers(f.textA), [f.selfRef, f.textB].sort());
      assert.is(q.queryPathInfo(f.added).sigs.length, 2);
      assert.equal(
        q.queryPathInfo(f.added).sigs.map((s) => s.split(':')[0]),
        ['k1', 'k2'],
      );
      db.close();
    }
  }),
);

nixTest('validity, derivation outputs, derivers and hash parts', () =>
  withTempDir((dir) => {
    const f = makeNixStore(dir);
    const db = open(f);
    const q = db.queries;
    const missing = '/nix/store/00000000000000000000000000000000-missing';
    assert.not.ok(q.isValidPath(missing));
    assert.not.ok(q.isValidPath(f.multiOut));
    assert.equal(q.queryValidPaths([f.textB, missing, f.added, f.multiOut]), [f.textB, f.added]);
    assert.is(q.lookupPathInfo(missing), undefined);
    throwsWith(
      () => q.queryPathInfo(missing),
      'STRATA_ERR_STORE_NOT_VALID',
      `path '${missing}' is not valid`,
    );
    assert.equal(q.queryReferrers(missing), []);

    for (const drv of [f.multiDrv, f.fixedDrv]) {
      const nixOutputs = lines(run('nix-store', ['--store', f.root, '-q', '--outputs', drv]));
      assert.equal(q.queryDerivationOutputs(drv), nixOutputs);
    }
    assert.equal(
      q.queryDerivationOutputMap(f.multiDrv),
      new Map([
        ['dev', f.multiDev],
        ['out', f.multiOut],
      ]),
    );
    assert.equal(q.queryDerivationOutputs(f.added), []);
    throwsWith(
      () => q.queryDerivationOutputs(missing),
      'STRATA_ERR_STORE_NOT_VALID',
      `path '${missing}' is not valid`,
    );
    assert.equal(q.queryValidDerivers(f.multiOut), [f.multiDrv]);
    assert.equal(q.queryValidDerivers(f.multiDev), [f.multiDrv]);
    assert.equal(q.queryValidDerivers(f.fixedOut), [f.fixedDrv]);
    assert.equal(q.queryValidDerivers(f.added), []);

    for (const p of f.all) assert.is(q.queryPathFromHashPart(p.slice(11, 43)), p);
    // The seek lands on the next path, which does not have the prefix.
    assert.is(q.queryPathFromHashPart('00000000000000000000000000000000'), undefined);
    assert.is(q.queryPathFromHashPart('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'), undefined);
    assert.is(q.queryPathFromHashPart(`${f.added.slice(11, 42)}0`), undefined);
    for (const bad of ['', 'abc', f.added.slice(11, 44)]) {
      throwsWith(
        () => q.queryPathFromHashPart(bad),
        'STRATA_ERR_LOCALDB_BAD_HASH_PART',
        'invalid hash part',
      );
    }
    db.close();
  }),
);

nixTest('column variants Nix accepts: other hash forms, empty ca, NULL sigs', () =>
  withTempDir((dir) => {
    const f = makeNixStore(dir);
    const file = `${f.dbDir}/db.sqlite`;
    const sql = (s: string) => execFileSync('sqlite3', [file, s], { encoding: 'utf8' });
    const db = open(f);
    const before = db.queries.queryPathInfo(f.added);
    const nix32 = before.narHash.toString('base32');
    sql(`update ValidPaths set hash = '${nix32}', ca = '', sigs = '' where path = '${f.added}'`);
    const info = db.queries.queryPathInfo(f.added);
    assert.ok(info.narHash.equals(before.narHash));
    assert.is(info.ca, undefined);
    assert.equal(info.sigs, []);
    assert.is(run('nix-store', ['--store', f.root, '-q', '--hash', f.added]), nix32);

    sql(`update ValidPaths set hash = 'abc' where path = '${f.added}'`);
    const message = `invalid-path entry for '${f.added}': error: hash 'abc' does not include a type`;
    throwsWith(() => db.queries.queryPathInfo(f.added), 'STRATA_ERR_LOCALDB_BAD_ROW', message);
    const r = execFileSync(
      'sh',
      ['-c', `nix-store --store ${f.root} -q --hash ${f.added} 2>&1 || true`],
      {
        encoding: 'utf8',
      },
    );
    assert.is(r.trim(), `error: ${message}`);
    db.close();
  }),
);

test.run();
