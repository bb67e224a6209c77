import { randomInt } from 'node:crypto';
import { rejectsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strataError } from '../errors.js';
import { parseHash } from '../hash/index.js';
import { compareBytewise, makePathInfo, type PathInfo } from '../path-info/path-info.js';
import { BaseStore } from './base.js';
import { computeClosure, computeClosureGraph } from './closure.js';
import { topoSortClosure, topoSortStorePaths } from './topo-sort.js';
import type { ClosureEdges, ClosureGraphOptions, StoreCapability } from './types.js';

const test = suite('computeClosure / computeClosureGraph: generic walk and store fast path');

const HASH = parseHash(`sha256:${'0'.repeat(64)}`);

/** A store over a fixed graph, with only the queries a closure needs; counts them. */
class GraphStore extends BaseStore {
  readonly storeDir = '/nix/store';
  readonly url = 'graph://';
  readonly capabilities = new Set<StoreCapability>(['referrers', 'derivers']);
  queries = 0;
  constructor(
    readonly graph: Map<string, string[]>,
    readonly derivers: Map<string, string> = new Map(),
  ) {
    super();
  }
  override async isValidPath(path: string): Promise<boolean> {
    this.queries++;
    return this.graph.has(path);
  }
  override async queryPathInfo(path: string): Promise<PathInfo> {
    this.queries++;
    const references = this.graph.get(path);
    if (references === undefined) throw strataError('STRATA_ERR_STORE_NOT_VALID', { path });
    const deriver = this.derivers.get(path);
    return makePathInfo({
      path,
      narHash: HASH,
      narSize: 1,
      references,
      ...(deriver ? { deriver } : {}),
    });
  }
  override async queryReferrers(path: string): Promise<string[]> {
    this.queries++;
    return [...this.graph]
      .filter(([, refs]) => refs.includes(path))
      .map(([p]) => p)
      .sort(compareBytewise);
  }
  override async queryValidDerivers(path: string): Promise<string[]> {
    return [...this.derivers].filter(([out]) => out === path).map(([, drv]) => drv);
  }
  override async queryDerivationOutputs(drvPath: string): Promise<string[]> {
    return [...this.derivers]
      .filter(([, drv]) => drv === drvPath)
      .map(([out]) => out)
      .sort();
  }
}

/** The same store with the one-call closure of `Store.queryClosureGraph`. */
class FastGraphStore extends GraphStore {
  fastCalls = 0;
  async queryClosureGraph(
    paths: readonly string[],
    options: ClosureGraphOptions = {},
  ): Promise<ClosureEdges> {
    this.fastCalls++;
    const slow = new GraphStore(this.graph, this.derivers);
    return (await computeClosureGraph(slow, paths, options)).edges;
  }
}

const name = (i: number) => `/nix/store/${String(i).padStart(32, '0')}-n${i}`;

function randomGraph(n: number): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const refs = new Set<string>();
    for (let j = randomInt(4); j > 0 && i > 0; j--) refs.add(name(randomInt(i)));
    if (randomInt(6) === 0) refs.add(name(i));
    graph.set(name(i), [...refs].sort(compareBytewise));
  }
  return graph;
}

/** The closure by definition: reachability over `next`. */
function reach(starts: string[], next: (p: string) => string[]): string[] {
  const seen = new Set(starts);
  const queue = [...starts];
  while (queue.length > 0) {
    for (const r of next(queue.pop()!)) {
      if (!seen.has(r)) {
        seen.add(r);
        queue.push(r);
      }
    }
  }
  return [...seen].sort(compareBytewise);
}

test('both directions: members, edges and order as by definition, walked or in one call', async () => {
  for (let round = 0; round < 30; round++) {
    const graph = randomGraph(randomInt(1, 40));
    const slow = new GraphStore(graph);
    const fast = new FastGraphStore(graph);
    const starts = [...graph.keys()].filter(() => randomInt(5) === 0).slice(0, 3);
    if (starts.length === 0) starts.push(name(0));
    const referrers = (p: string) => [...graph].filter(([, r]) => r.includes(p)).map(([q]) => q);
    for (const store of [slow, fast]) {
      const down = await computeClosureGraph(store, starts);
      assert.is(down.direction, 'references');
      assert.equal(
        [...down.edges.keys()].sort(compareBytewise),
        reach(starts, (p) => graph.get(p)!),
      );
      for (const [p, refs] of down.edges) assert.equal(refs, graph.get(p));
      assert.equal(
        await computeClosure(store, starts),
        reach(starts, (p) => graph.get(p)!),
      );
      // The order needs no further queries and is the store-driven sort's.
      const closure = [...down.edges.keys()];
      assert.equal(topoSortClosure(down), await topoSortStorePaths(slow, closure));

      const up = await computeClosureGraph(store, starts, { direction: 'referrers' });
      assert.equal([...up.edges.keys()].sort(compareBytewise), reach(starts, referrers));
      for (const [p, refs] of up.edges) assert.equal(refs, referrers(p).sort(compareBytewise));
      assert.equal(topoSortClosure(up), await topoSortStorePaths(slow, [...up.edges.keys()]));
    }
    assert.is(fast.fastCalls, 3, 'the fast path is one call per closure');
  }
});

test('a start path that is not valid: fails following references, is a member following referrers', async () => {
  const graph = new Map([
    [name(1), []],
    [name(2), [name(1)]],
  ]);
  const missing = name(9);
  for (const store of [new GraphStore(graph), new FastGraphStore(graph)]) {
    await rejectsWith(
      () => computeClosureGraph(store, [name(2), missing, name(8)]),
      'STRATA_ERR_STORE_NOT_VALID',
      `path '${missing}' is not valid`,
    );
    const up = await computeClosureGraph(store, [name(1), missing], { direction: 'referrers' });
    assert.equal(
      [...up.edges.keys()].sort(compareBytewise),
      [name(1), name(2), missing].sort(compareBytewise),
    );
    assert.equal(up.edges.get(missing), []);
    // As `nix-store -q --referrers-closure` prints it (reversed): the missing path last.
    assert.equal(topoSortClosure(up), [missing, name(2), name(1)]);
  }
});

test('includeOutputs / includeDerivers take the walk even where the fast path exists', async () => {
  const drv = name(5).replace(/-n5$/, '-x.drv');
  const out = name(6);
  const dep = name(7);
  const graph = new Map([
    [drv, [dep]],
    [out, []],
    [dep, []],
  ]);
  const store = new FastGraphStore(graph, new Map([[out, drv]]));
  const withOutputs = await computeClosureGraph(store, [drv], { includeOutputs: true });
  assert.is(store.fastCalls, 0);
  assert.equal(
    [...withOutputs.edges.keys()].sort(compareBytewise),
    [drv, out, dep].sort(compareBytewise),
  );
  // Outputs are members, not edges: the drv's edges are its references only.
  assert.equal(withOutputs.edges.get(drv), [dep]);
  const withDerivers = await computeClosure(store, [out], { includeDerivers: true });
  assert.equal(withDerivers, [drv, out, dep].sort(compareBytewise));
  const users = await computeClosure(store, [dep], {
    direction: 'referrers',
    includeDerivers: true,
  });
  assert.equal(users, [drv, out, dep].sort(compareBytewise));
  assert.is(store.fastCalls, 0);
});

test.run();
