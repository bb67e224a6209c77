// Closures with their edges through a local-overlay store on a real mount
// (`LocalOverlayStore.queryClosureGraph`): the union of the upper DB and the lower store, for
// start paths in either layer or both, in both directions, checked three ways: against the
// path-by-path walk over the overlay's own queries, against Nix 2.8 on each layer as a plain
// store (the lower store; the upper DB, whose closures are self-contained), and through the
// `strata` CLI. Also: invalid start paths, no copy-up or write by a query, upper rows
// answering before lower ones, and a reference cycle refused with Nix's message.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  type ClosureDirection,
  computeClosureGraph,
  type Store,
  topoSortClosure,
  topoSortStorePaths,
} from '@strata/core';
import { rejectsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from '../cli/helpers.js';
import { type OverlayEnv, overlayTest, withVolume } from './env.js';
import { APP, APP2, LIB, makeGraphFixture, nixImport, TOOL } from './fixtures.js';

const test = suite('local-overlay: closures over both layers (real mounts)');
const realTest = overlayTest(test);

const FEATURES = ['--option', 'experimental-features', 'nix-command local-overlay-store'];
const QUIET = ['--option', 'build-users-group', '', '--option', 'substituters', ''];
const FLAG: Record<ClosureDirection, string> = {
  references: '--requisites',
  referrers: '--referrers-closure',
};
const DIRECTIONS = ['references', 'referrers'] as const;
const CHAIN = 24;

/** The store without `queryClosureGraph`: closures walked one query per path. */
function walkOnly(store: Store): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'queryClosureGraph') return undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A chain of text paths made by Nix in `root`, each referring to the one before and 5 before. */
function nixChain(env: OverlayEnv, root: string): string[] {
  const expr = `
    let
      f = i: builtins.toFile "chain\${toString i}" (
        if i == 0 then "root" else "node \${toString i} \${builtins.elemAt paths (i - 1)} \${
          if i >= 5 then builtins.elemAt paths (i - 5) else ""}");
      paths = builtins.genList f ${CHAIN};
    in builtins.concatStringsSep "\\n" paths`;
  return env.nix('nix', ['eval', '--raw', '--store', root, '--expr', expr]).split('\n');
}

/** `nix-store --store ROOT -q FLAG ARGS…` as lines. */
function nixLines(env: OverlayEnv, root: string, flag: string, args: string[]): string[] {
  const out = env.nix('nix-store', ['--store', root, '-q', flag, ...args]);
  return out === '' ? [] : out.split('\n');
}

/** The overlay's closure of `starts`, fast and walked: equal members, edges and order. */
async function checkAgainstWalk(
  store: Store,
  starts: string[],
  direction: ClosureDirection,
): Promise<string[]> {
  const fast = await computeClosureGraph(store, starts, { direction });
  const walked = await computeClosureGraph(walkOnly(store), starts, { direction });
  const what = `${direction} of ${starts.join(' ')}`;
  assert.equal([...fast.edges.keys()].sort(), [...walked.edges.keys()].sort(), what);
  for (const [p, edges] of fast.edges) assert.equal(edges, walked.edges.get(p), `${what}: ${p}`);
  const order = topoSortClosure(fast).reverse();
  assert.equal(order, topoSortClosure(walked).reverse(), what);
  assert.equal(order, (await topoSortStorePaths(store, fast.edges.keys())).reverse(), what);
  return order;
}

/**
 * A lower store with FX-graph (LIB ← APP, APP2) and a chain; through the overlay: U1 refers
 * to chain[10] (copying chain[0..10] up), U2 to U1 and APP, U3 to nothing, and TOOL imported.
 */
async function setup(env: OverlayEnv) {
  const fx = makeGraphFixture(env);
  nixImport(env, env.A, fx.lowerExport);
  const chain = nixChain(env, env.A);
  env.mountOverlay();
  const store = await env.open(env.url('&require-sigs=false'));
  const u1 = await store.addTextToStore('u1', `uses ${chain[10]}`, [chain[10]!]);
  const u2 = await store.addTextToStore('u2', `uses ${u1} and ${APP}`, [u1, APP]);
  const u3 = await store.addTextToStore('u3', 'alone', []);
  await env.importInto(store, fx.toolClosureExport);
  return { store, chain, u1, u2, u3 };
}

realTest('both directions, starts in either layer or both: the walk, and Nix on each layer', () =>
  withVolume(async (env) => {
    const { store, chain, u1, u2, u3 } = await setup(env);
    const upperRows = () => env.sql(env.ROOT, 'select count(*) from ValidPaths')[0]![0];
    const rowsBefore = upperRows();
    const upperBefore = env.lsUp();
    const startSets = [
      [chain[20]!], // lower only; its closure reaches copied-up paths
      [chain[5]!], // both layers
      [chain[0]!],
      [u2], // upper only, refers to both
      [u3],
      [TOOL],
      [LIB],
      [APP2, u1],
      [chain[23]!, u2, LIB],
    ];
    const results = new Map<string, string[]>();
    for (const direction of DIRECTIONS) {
      for (const starts of startSets) {
        results.set(`${direction} ${starts}`, await checkAgainstWalk(store, starts, direction));
      }
    }
    // Queries copy nothing up and write nothing.
    assert.is(upperRows(), rowsBefore);
    assert.equal(env.lsUp(), upperBefore);
    await env.closeAll();

    // Nix on the lower store answers for lower-only closures.
    for (const starts of [[chain[20]!], [chain[0]!], [LIB]]) {
      assert.equal(
        results.get(`references ${starts}`),
        nixLines(env, env.A, '--requisites', starts),
      );
    }
    // The upper DB is a store whose closures are complete: Nix answers for upper starts.
    for (const starts of [[u2], [u3], [TOOL]]) {
      assert.equal(
        results.get(`references ${starts}`),
        nixLines(env, env.ROOT, '--requisites', starts),
      );
    }
    // Referrers: the union of what each layer knows.
    for (const start of [LIB, chain[0]!, chain[5]!]) {
      const union = new Set([
        ...nixLines(env, env.A, '--referrers-closure', [start]),
        ...nixLines(env, env.ROOT, '--referrers-closure', [start]),
      ]);
      assert.equal([...(results.get(`referrers ${start}`) ?? [])].sort(), [...union].sort());
    }
    assert.ok(results.get(`referrers ${LIB}`)!.includes(TOOL));
    assert.ok(results.get(`referrers ${chain[5]}`)!.includes(u2));
    assert.ok(results.get(`referrers ${chain[5]}`)!.includes(chain[23]!));
  }),
);

realTest('the strata CLI prints what Nix prints, through the overlay', () =>
  withVolume(async (env) => {
    const { chain, u2 } = await setup(env);
    await env.closeAll();
    const run = (kind: string, args: string[]) => {
      const r = strata(['--store', env.url(), ...FEATURES, ...QUIET, 'query', kind, ...args]);
      assert.is(r.stderr, '', `${kind} ${args}`);
      assert.is(r.status, 0);
      return r.stdout.toString();
    };
    const lines = (l: string[]) => (l.length === 0 ? '' : `${l.join('\n')}\n`);
    assert.is(
      run('requisites', [chain[22]!]),
      lines(nixLines(env, env.A, '--requisites', [chain[22]!])),
    );
    assert.is(run('requisites', [u2]), lines(nixLines(env, env.ROOT, '--requisites', [u2])));
    assert.is(
      run('referrers-closure', [APP2]),
      lines(nixLines(env, env.A, '--referrers-closure', [APP2])),
    );
    assert.is(
      run('tree', [u2]),
      `${env.nix('nix-store', ['--store', env.ROOT, '-q', '--tree', u2])}\n`,
    );
  }),
);

realTest('invalid start paths; upper rows answer first; a cycle is refused as Nix refuses it', () =>
  withVolume(async (env) => {
    const { store, chain, u1, u2, u3 } = await setup(env);
    const missing = `/nix/store/${'c'.repeat(32)}-missing`;
    await rejectsWith(
      () => store.queryClosureGraph!([u3, chain[3]!, missing, `${missing}2`]),
      'STRATA_ERR_STORE_NOT_VALID',
      `path '${missing}' is not valid`,
    );
    await rejectsWith(
      () => store.queryClosureGraph!([missing, u3]),
      'STRATA_ERR_STORE_NOT_VALID',
      `path '${missing}' is not valid`,
    );
    // Following referrers, an invalid start is a member without referrers (Nix prints it).
    const up = await store.queryClosureGraph!([missing, u1], { direction: 'referrers' });
    assert.equal(up.get(missing), []);
    assert.equal([...up.keys()].sort(), [missing, u1, u2].sort());
    await env.closeAll();

    // chain[10] is in both layers. Give its upper row fewer references than the lower one:
    // the overlay (as queryPathInfo) follows the upper row, so chain[7..9] drop out of the
    // closure of the lower-only chain[11].
    const db = join(env.ROOT, 'nix/var/nix/db/db.sqlite');
    const sqlite = (sql: string) => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' });
    const id = (p: string) => `(select id from ValidPaths where path = '${p}')`;
    sqlite(`delete from Refs where referrer = ${id(chain[10]!)} and reference = ${id(chain[9]!)}`);
    const reopened = await env.open();
    const order = await checkAgainstWalk(reopened, [chain[11]!], 'references');
    assert.equal([...order].sort(), [0, 1, 2, 3, 4, 5, 6, 10, 11].map((i) => chain[i]!).sort());
    await env.closeAll();

    // A cycle between two upper paths: u1 → u2 → u1.
    sqlite(`insert into Refs (referrer, reference) values (${id(u1)}, ${id(u2)})`);
    const cyclic = await env.open();
    for (const direction of DIRECTIONS) {
      const r = env.nixRun('nix-store', ['--store', env.ROOT, '-q', FLAG[direction], u2]);
      assert.is(r.status, 1, `nix refuses the cycle (${direction})`);
      const nixError = r.stderr.split('\n').find((l) => l.startsWith('error: '))!;
      const graph = await computeClosureGraph(cyclic, [u2], { direction });
      assert.throws(
        () => topoSortClosure(graph),
        (e: Error) => `error: ${e.message}` === nixError,
      );
    }
  }),
);

test.run();
