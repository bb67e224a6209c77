import { randomInt } from 'node:crypto';
import { throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareBytewise } from '../path-info/path-info.js';
import { closureNumbering, numberedClosureEdges } from './closure-numbering.js';
import { topoSortClosure, topoSortPaths } from './topo-sort.js';

const test = suite('topoSortPaths / topoSortClosure: Nix 2.8 topoSort order');

/** Nix's `topoSort` (util/topo-sort.hh) written out recursively, as the reference. */
function nixTopoSort(paths: string[], refs: (p: string) => string[]): string[] {
  const items = [...new Set(paths)].sort(compareBytewise);
  const inSet = new Set(items);
  const visited = new Set<string>();
  const parents = new Set<string>();
  const sorted: string[] = [];
  const visit = (path: string, parent: string | undefined): void => {
    if (parents.has(path)) throw new Error(`cycle ${path} from ${parent}`);
    if (visited.has(path)) return;
    visited.add(path);
    parents.add(path);
    for (const r of [...new Set(refs(path))].sort(compareBytewise)) {
      if (r !== path && inSet.has(r)) visit(r, path);
    }
    sorted.push(path);
    parents.delete(path);
  };
  for (const p of items) visit(p, undefined);
  return sorted.reverse();
}

const path = (i: number) => `/nix/store/${String(i).padStart(32, '0')}-p${randomInt(1000)}`;

/** A random DAG: edges only from higher to lower numbers, so no cycles; some self-edges. */
function randomDag(n: number): Map<string, string[]> {
  const names = Array.from({ length: n }, (_, i) => path(i));
  const graph = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const refs = new Set<string>();
    const k = randomInt(4);
    for (let j = 0; j < k && i > 0; j++) refs.add(names[randomInt(i)]!);
    if (randomInt(5) === 0) refs.add(names[i]!);
    if (randomInt(7) === 0) refs.add('/nix/store/00000000000000000000000000000000-outside');
    graph.set(names[i]!, [...refs].sort(compareBytewise));
  }
  return graph;
}

/** `graph` (members only, no outsiders) as a store's numbered closure edges. */
function numbered(graph: Map<string, string[]>): Map<string, string[]> {
  const items = [...graph.keys()].sort(compareBytewise);
  const numberOf = new Map(items.map((p, i) => [p, i]));
  const adjacency = items.map((p) =>
    graph
      .get(p)!
      .filter((r) => numberOf.has(r))
      .map((r) => numberOf.get(r)!)
      .sort((a, b) => a - b),
  );
  return numberedClosureEdges(items, adjacency);
}

/** `graph` without edges to paths outside it. */
function membersOnly(graph: Map<string, string[]>): Map<string, string[]> {
  return new Map([...graph].map(([p, refs]) => [p, refs.filter((r) => graph.has(r))]));
}

/** `graph` turned around: each path → the paths that refer to it, sorted. */
function referrersOf(graph: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>([...graph.keys()].map((p) => [p, []]));
  for (const [p, refs] of graph) for (const r of refs) out.get(r)?.push(p);
  for (const list of out.values()) list.sort(compareBytewise);
  return out;
}

test('random DAGs: the same order as Nix, by references and by referrers turned around', () => {
  for (let round = 0; round < 50; round++) {
    const graph = randomDag(randomInt(1, 60));
    const members = [...graph.keys()];
    const expected = nixTopoSort(members, (p) => graph.get(p) ?? []);
    assert.equal(
      topoSortPaths(members, (p) => graph.get(p) ?? []),
      expected,
    );
    // Given unsorted, with duplicates, and references unsorted: the same.
    const shuffled = [...members, ...members].sort(() => randomInt(3) - 1);
    assert.equal(
      topoSortPaths(shuffled, (p) => [...(graph.get(p) ?? [])].reverse()),
      expected,
    );
    assert.equal(topoSortClosure({ direction: 'references', edges: graph }), expected);
    assert.equal(topoSortClosure({ direction: 'referrers', edges: referrersOf(graph) }), expected);
    // Numbered edges (as the local store gives them), self-references kept: the same.
    const inner = membersOnly(graph);
    const byNumber = numbered(inner);
    assert.ok(closureNumbering(byNumber));
    assert.equal(byNumber, inner);
    assert.equal(topoSortClosure({ direction: 'references', edges: byNumber }), expected);
    assert.equal(
      topoSortClosure({ direction: 'referrers', edges: numbered(referrersOf(inner)) }),
      expected,
    );
    // A subset: references leaving it are ignored.
    const subset = members.filter(() => randomInt(2) === 0);
    assert.equal(
      topoSortPaths(subset, (p) => graph.get(p) ?? []),
      nixTopoSort(subset, (p) => graph.get(p) ?? []),
    );
  }
});

test('referrers before references; self-references and outsiders ignored', () => {
  const refs: Record<string, string[]> = {
    '/s/b-lib': ['/s/b-lib', '/s/x-outside'],
    '/s/a-app': ['/s/b-lib', '/s/a-app'],
  };
  assert.equal(
    topoSortPaths(['/s/b-lib', '/s/a-app'], (p) => refs[p]!),
    ['/s/a-app', '/s/b-lib'],
  );
  assert.equal(
    topoSortPaths([], () => []),
    [],
  );
});

test('a cycle fails with Nix message, naming the path met again and where from', () => {
  const graph: Record<string, string[]> = {
    '/s/a': ['/s/b'],
    '/s/b': ['/s/c'],
    '/s/c': ['/s/a'],
  };
  throwsWith(
    () => topoSortPaths(Object.keys(graph), (p) => graph[p]!),
    'STRATA_ERR_STORE_REFERENCE_CYCLE',
    "cycle detected in the references of '/s/a' from '/s/c'",
  );
  throwsWith(
    () =>
      topoSortClosure({
        direction: 'referrers',
        edges: new Map([
          ['/s/a', ['/s/b']],
          ['/s/b', ['/s/a']],
        ]),
      }),
    'STRATA_ERR_STORE_REFERENCE_CYCLE',
    "cycle detected in the references of '/s/a' from '/s/b'",
  );
});

test('numbered edges: read as a plain map; the numbering is dropped once members are added', () => {
  const edges = numberedClosureEdges(['/s/a-app', '/s/b-lib', '/s/c-self'], [[1, 2], [], [2]]);
  assert.equal(
    [...edges],
    [
      ['/s/a-app', ['/s/b-lib', '/s/c-self']],
      ['/s/b-lib', []],
      ['/s/c-self', ['/s/c-self']],
    ],
  );
  assert.equal(topoSortClosure({ direction: 'references', edges }), [
    '/s/a-app',
    '/s/c-self',
    '/s/b-lib',
  ]);
  edges.set('/s/0-first', ['/s/c-self']);
  assert.is(closureNumbering(edges), undefined);
  assert.equal(
    topoSortClosure({ direction: 'references', edges }),
    nixTopoSort([...edges.keys()], (p) => edges.get(p)!),
  );
  throwsWith(
    () =>
      topoSortClosure({
        direction: 'references',
        edges: numberedClosureEdges(['/s/a', '/s/b'], [[1], [0]]),
      }),
    'STRATA_ERR_STORE_REFERENCE_CYCLE',
    "cycle detected in the references of '/s/a' from '/s/b'",
  );
});

test('chains far longer than the call stack allows', () => {
  const n = 200_000;
  const names = Array.from({ length: n }, (_, i) => `/s/${String(i).padStart(7, '0')}`);
  // Each refers to the next: the search goes n deep from the first.
  const sorted = topoSortPaths(names, (p) => {
    const i = Number(p.slice(3));
    return i + 1 < n ? [names[i + 1]!] : [];
  });
  assert.is(sorted.length, n);
  assert.is(sorted[0], names[0]);
  assert.is(sorted[n - 1], names[n - 1]);
});

test.run();
