// The closure query of the local store (`PathQueries.closureGraph`, `LocalStore.
// queryClosureGraph`) on stores Nix 2.8 made: members, edges and printed order against
// `nix-store -q --requisites / --referrers-closure / --references / --referrers`, invalid start
// paths, and reference cycles (put into the database by hand) refused with Nix's message.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreRegistry } from '@strata/core';
import { type ClosureDirection, type Store, topoSortClosure } from '@strata/core/store';
import { StoreDir } from '@strata/core/store-path';
import { NIX, rejectsWith, requires, throwsWith, withTempDir } from '@strata/test-support';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import localPlugin from '../index.js';
import { openStoreDatabase, type StoreDatabase } from './store-database.js';
import { makeNixStore, type NixStoreFixture, run } from './testing.js';

const test = suite('local db: closures with their edges, against nix-store -q');
const nixTest = requires(test, NIX);

const registry = new StoreRegistry();
registry.register(localPlugin);

const lines = (s: string) => (s === '' ? [] : s.split('\n'));
const FLAG: Record<ClosureDirection, string> = {
  references: '--requisites',
  referrers: '--referrers-closure',
};
const EDGE_FLAG: Record<ClosureDirection, string> = {
  references: '--references',
  referrers: '--referrers',
};

/** Two chains of text paths made by Nix, each referring to the one before and 5 before. */
function addChains(f: NixStoreFixture, dir: string, length: number): string[] {
  const expr = `
    let
      mod = a: b: a - (a / b) * b;
      f = i: builtins.toFile "c\${toString i}" (
        if mod i ${length} == 0 then "root \${toString i}"
        else "node \${toString i} \${builtins.elemAt paths (i - 1)} \${
          if mod i ${length} >= 5 then builtins.elemAt paths (i - 5) else ""}");
      paths = builtins.genList f ${2 * length};
    in builtins.concatStringsSep "\\n" paths`;
  writeFileSync(join(dir, 'chains.nix'), expr);
  return lines(run('nix', ['eval', '--raw', '--store', f.root, '-f', join(dir, 'chains.nix')]));
}

function openDb(f: NixStoreFixture): StoreDatabase {
  return openStoreDatabase({
    dbDir: f.dbDir,
    storeDir: new StoreDir(),
    realStoreDir: f.realStoreDir,
    readOnly: true,
  });
}

async function openStore(f: NixStoreFixture): Promise<Store> {
  return registry.openStore(`local?root=${encodeURIComponent(f.root)}`, { env: {} });
}

/** What `nix-store -q FLAG ARGS…` prints, as lines; or its `error: …` line when it fails. */
function nixQuery(root: string, flag: string, args: string[]): string[] | string {
  const r = spawnSync('nix-store', ['--store', root, '-q', flag, ...args], { encoding: 'utf8' });
  if (r.status === 0) return lines(r.stdout.trim());
  const error = r.stderr.split('\n').find((l) => l.startsWith('error: '));
  return error?.slice('error: '.length) ?? r.stderr;
}

nixTest('every path, both directions: members, edges and printed order as Nix has them', () =>
  withTempDir(async (dir) => {
    const f = makeNixStore(dir);
    const chains = addChains(f, dir, 40);
    const all = [...f.all, ...chains];
    const db = openDb(f);
    const store = await openStore(f);
    try {
      // Edges once per path and direction (one nix-store process each).
      const edges: Record<ClosureDirection, Map<string, string[]>> = {
        references: new Map(),
        referrers: new Map(),
      };
      for (const direction of ['references', 'referrers'] as const) {
        for (const p of all) {
          edges[direction].set(p, (nixQuery(f.root, EDGE_FLAG[direction], [p]) as string[]).sort());
        }
      }
      const starts = [
        ...f.all.map((p) => [p]),
        [chains[39]!],
        [chains[40]!],
        [chains[79]!, chains[3]!],
        [f.multiDrv, f.selfRef, chains[10]!],
      ];
      for (const direction of ['references', 'referrers'] as const) {
        for (const args of starts) {
          const graph = db.queries.closureGraph(args, direction);
          const viaStore = await store.queryClosureGraph!(args, { direction });
          assert.equal([...viaStore], [...graph]);
          const expected = nixQuery(f.root, FLAG[direction], args) as string[];
          assert.equal([...graph.keys()], [...expected].sort(), `${direction} of ${args}`);
          for (const [p, neighbours] of graph) {
            assert.equal(neighbours, edges[direction].get(p), `${direction} edges of ${p}`);
          }
          // As `nix-store -q` prints it: the topological order, reversed.
          assert.equal(topoSortClosure({ direction, edges: graph }).reverse(), expected);
        }
      }
      // The chain's whole closure, from its far end (40 deep, in the other direction too).
      assert.is(db.queries.closureGraph([chains[79]!], 'references').size, 40);
      assert.is(db.queries.closureGraph([chains[40]!], 'referrers').size, 40);
    } finally {
      await store.close();
      db.close();
    }
  }),
);

nixTest(
  'invalid start paths: the first fails following references, a bare member following referrers',
  () =>
    withTempDir(async (dir) => {
      const f = makeNixStore(dir);
      const db = openDb(f);
      const store = await openStore(f);
      try {
        const missing = `/nix/store/${'a'.repeat(32)}-missing`;
        const other = `/nix/store/${'b'.repeat(32)}-other`;
        const args = [f.textB, missing, other];
        const nixError = nixQuery(f.root, '--requisites', args);
        assert.is(nixError, `path '${missing}' is not valid`);
        throwsWith(
          () => db.queries.closureGraph(args, 'references'),
          'STRATA_ERR_STORE_NOT_VALID',
          nixError as string,
        );
        await rejectsWith(
          () => store.queryClosureGraph!(args, { direction: 'references' }),
          'STRATA_ERR_STORE_NOT_VALID',
          nixError as string,
        );
        // Nix prints an invalid path's referrers closure as the path alone.
        const graph = db.queries.closureGraph([missing, f.textA], 'referrers');
        assert.equal(graph.get(missing), []);
        assert.equal(
          topoSortClosure({ direction: 'referrers', edges: graph }).reverse(),
          nixQuery(f.root, '--referrers-closure', [missing, f.textA]),
        );
        assert.equal(db.queries.closureGraph([], 'references'), new Map());
        // Malformed paths fail as every other query does, before the database is asked.
        await rejectsWith(
          () => store.queryClosureGraph!(['/nix/store/xyz']),
          'STRATA_ERR_STORE_PATH_TOO_SHORT',
          "'xyz' is too short to be a valid store path",
        );
      } finally {
        await store.close();
        db.close();
      }
    }),
);

nixTest('a reference cycle put into the database is refused with Nix message', () =>
  withTempDir(async (dir) => {
    const f = makeNixStore(dir);
    // b.txt refers to a.txt; make a.txt refer to b.txt too.
    const sqlite = new Database(join(f.dbDir, 'db.sqlite'));
    const id = (p: string) =>
      (sqlite.prepare('select id from ValidPaths where path = ?').get(p) as { id: number }).id;
    sqlite
      .prepare('insert into Refs (referrer, reference) values (?, ?)')
      .run(id(f.textA), id(f.textB));
    sqlite.close();
    const db = openDb(f);
    try {
      for (const direction of ['references', 'referrers'] as const) {
        for (const start of [f.textA, f.textB]) {
          const graph = db.queries.closureGraph([start], direction);
          assert.ok(graph.has(f.textA) && graph.has(f.textB));
          const nixError = nixQuery(f.root, FLAG[direction], [start]);
          assert.type(nixError, 'string', `nix refuses the cycle (${direction} of ${start})`);
          throwsWith(
            () => topoSortClosure({ direction, edges: graph }),
            'STRATA_ERR_STORE_REFERENCE_CYCLE',
            nixError as string,
          );
        }
      }
    } finally {
      db.close();
    }
  }),
);

test.run();
