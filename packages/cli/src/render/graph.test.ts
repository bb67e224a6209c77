import type { PathInfo, Store } from '@strata/core';
import { Hash } from '@strata/core/hash';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dotGraphLines, treeLines } from './graph.js';

const test = suite('render/graph');

const P = (c: string, name: string) => `/nix/store/${c.repeat(32)}-${name}`;
const A = P('a', 'app');
const B = P('b', 'lib');
const C = P('c', 'self');
const D = P('d', 'base');

/** Just enough of a store for the renderers: path infos with references. */
function fakeStore(refs: Record<string, string[]>): Store {
  const info = (path: string): PathInfo => ({
    path,
    narHash: new Hash('sha256', new Uint8Array(32)),
    narSize: 0,
    references: [...(refs[path] ?? [])].sort(),
    sigs: [],
  });
  return { queryPathInfo: async (p: string) => info(p) } as unknown as Store;
}

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const s of gen) out += s;
  return out;
}

// A refers to B, C and D; B to D; C to itself and D.
const store = fakeStore({ [A]: [B, C, D], [B]: [D], [C]: [C, D], [D]: [] });

test('tree: references before what refers to them, [...] for repeats and self-references', async () => {
  // Siblings are Nix's topological order reversed: D (referred to by B and C) comes first.
  assert.is(
    await collect(treeLines(store, [A, B])),
    [
      `${A}\n`,
      `├───${D}\n`,
      `├───${B}\n`,
      `│   └───${D} [...]\n`,
      `└───${C}\n`,
      `    ├───${D} [...]\n`,
      `    └───${C} [...]\n`,
      `${B} [...]\n`,
    ].join(''),
  );
});

test('graph: sorted work list, no self edges, the colour cycle', async () => {
  const id = (p: string) => `"${p.slice(11)}"`;
  const node = (p: string) =>
    `${id(p)} [label = "${p.slice(44)}", shape = box, style = filled, fillcolor = "#ff0000"];\n`;
  const edge = (from: string, to: string, colour: string) =>
    `${id(from)} -> ${id(to)} [color = "${colour}"];\n`;
  assert.is(
    await collect(dotGraphLines(store, [A])),
    [
      'digraph G {\n',
      node(A),
      edge(B, A, 'black'),
      edge(C, A, 'red'),
      edge(D, A, 'green'),
      node(B),
      edge(D, B, 'blue'),
      node(C),
      edge(D, C, 'magenta'),
      node(D),
      '}\n',
    ].join(''),
  );
});

test.run();
