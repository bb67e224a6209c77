// Stores built from stores: a third-party plugin (layer) opening another (memory) as its
// lower store, sharing of one lower store, cycles through named stores, and closing.
import { COMPOSITION, copyClosure, STORE_REGISTRY, type Store } from '@strata/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LayerStore } from '../plugins/layer/index.js';
import type { MemoryStore } from '../plugins/memory/store.js';
import { messageOf, testRegistry } from './helpers.js';

const test = suite('store compositions');

test('a layer reads through to its lower store and never writes it', async () => {
  const { registry } = await testRegistry();
  const composition = registry.createComposition();
  const layer = (await composition.open(
    registry.resolve('layer://?lower-store=memory://?label=base'),
  )) as LayerStore;
  const base = (await composition.open(registry.resolve('memory://?label=base'))) as MemoryStore;
  assert.is(layer.lower, base, 'the same instance');
  const text = await layer.addTextToStore('t', 'in the layer');
  assert.is(layer.size, 1);
  assert.is(base.size, 0);
  assert.is(await layer.isValidPath(text), true);
  assert.is(await base.isValidPath(text), false);
  // Opened as a lower store first, it stays one: never written, whoever asks.
  assert.is(
    await messageOf(() => base.addTextToStore('x', 'x')),
    "operation 'addNar' is not supported by store 'memory://?label=base'",
  );
  await composition.close();
});

test('two layers over one named lower store share it; spellings do not matter', async () => {
  const { registry } = await testRegistry();
  const stores = new Map([
    ['base', 'memory://?trusted=1&label=base'],
    ['a', 'layer://?label=a&lower-store=@base'],
  ]);
  const composition = registry.createComposition({ stores });
  const a = (await composition.open(registry.resolve('@a', { stores }))) as LayerStore;
  const b = (await composition.open(
    registry.resolve('layer://?label=b&lower-store=memory://?label=base%26trusted=true', {
      stores,
    }),
  )) as LayerStore;
  assert.is(a.lower, b.lower);
  assert.is(composition.size, 3);
  await composition.close();
});

test('nested three deep, opened from one percent-encoded URL', async () => {
  const { registry } = await testRegistry();
  const url =
    'layer://?label=top&lower-store=layer%3A%2F%2F%3Flabel%3Dmid%26lower-store%3Dmemory%253A%252F%252F%253Fstore%253D%25252Fs';
  const config = registry.resolve(url);
  assert.is(
    config.lowerStores.get('lower-store')!.lowerStores.get('lower-store')!.get('store'),
    '/s',
  );
  const top = (await registry.openStore(url)) as LayerStore;
  assert.is(top.storeDir, '/nix/store');
  const mid = top.lower as LayerStore;
  assert.is((mid.lower as MemoryStore).storeDir, '/s');
  assert.is(registry.compositionOf(top)!.size, 3);
  await registry.closeStore(top);
});

test('cycles through named stores are found before anything opens', async () => {
  const { registry, log } = await testRegistry();
  const stores = new Map([
    ['a', 'layer://?lower-store=@b'],
    ['b', 'layer://?label=b&lower-store=@c'],
    ['c', 'layer://?label=c&lower-store=@a'],
    ['self', 'layer://?lower-store=@self'],
  ]);
  assert.is(
    await messageOf(() => registry.openStore('@a', { stores })),
    'store reference cycle: @a → @b → @c → @a',
  );
  assert.is(
    await messageOf(() => registry.openStore('@self', { stores })),
    'store reference cycle: @self → @self',
  );
  assert.is(
    await messageOf(() => registry.openStore('layer://?lower-store=@b', { stores })),
    'store reference cycle: @b → @c → @a → @b',
  );
  assert.equal(log.opened, []);
});

test('a plugin that asks for itself while opening is a cycle', async () => {
  const { registry } = await testRegistry();
  const composition = registry.createComposition();
  const config = registry.resolve('memory://?label=loop');
  const looping = {
    ...config.implementation,
    open: (_c: unknown, ctx: { openStore(u: string): Promise<Store> }) =>
      ctx.openStore('memory://?label=loop'),
  };
  const fake = Object.assign(Object.create(Object.getPrototypeOf(config)), config, {
    implementation: looping,
  });
  assert.is(
    await messageOf(() => composition.open(fake)),
    'store reference cycle: memory://?label=loop → memory://?label=loop',
  );
});

test('compositions are child containers and share nothing', async () => {
  const { registry } = await testRegistry();
  const one = registry.createComposition();
  const two = registry.createComposition();
  assert.is.not(one.container, two.container);
  assert.is(one.container.resolve(COMPOSITION), one);
  assert.is(two.container.resolve(COMPOSITION), two);
  assert.is(one.container.resolve(STORE_REGISTRY), registry);
  const s1 = await one.open(registry.resolve('memory://'));
  const s2 = await two.open(registry.resolve('memory://'));
  assert.is.not(s1, s2);
  await s1.addTextToStore('only-in-one', 'x');
  assert.equal(await s2.queryAllValidPaths(), []);
  await one.close();
  await two.close();
});

test('closing a composition closes each store once, top first', async () => {
  const log = { opened: [] as string[], closed: [] as string[] };
  const { registry } = await testRegistry(log);
  const stores = new Map([['root', 'local?root=/r']]);
  const top = await registry.openStore('layer://?lower-store=@root', { stores, env: {} });
  assert.equal(log.opened, ['local://?root=/r']);
  await registry.closeStore(top);
  await registry.closeStore(top);
  assert.equal(log.closed, ['local://?root=/r']);
});

test('a failed open closes what was opened before it', async () => {
  const log = { opened: [] as string[], closed: [] as string[] };
  const { registry } = await testRegistry(log);
  const layer = registry.findScheme('layer')!.implementation;
  registry.register({
    name: 'failing-plugin',
    core: '^0.1.0',
    stores: [
      {
        ...layer,
        name: 'Failing Layer',
        schemes: ['failing'],
        lowerStoreCapabilities: {},
        open: async (_config: unknown, ctx: { openLower(s: string): Promise<Store> }) => {
          await ctx.openLower('lower-store');
          throw new Error('the upper half failed');
        },
      },
    ],
  });
  assert.is(
    await messageOf(() => registry.openStore('failing://?lower-store=local?root=/r', { env: {} })),
    'the upper half failed',
  );
  assert.equal(log.opened, ['local://?root=/r']);
  assert.equal(log.closed, ['local://?root=/r']);
});

test('copying a closure between two third-party stores', async () => {
  const { registry } = await testRegistry();
  const from = await registry.openStore('memory://?label=from');
  const to = await registry.openStore('memory://?label=to');
  const c = await from.addTextToStore('c', 'c');
  const b = await from.addTextToStore('b', `b ${c}`, [c]);
  const a = await from.addTextToStore('a', `a ${b}`, [b]);
  const order: string[] = [];
  assert.equal(await copyClosure(from, to, [a], { onCopied: (p) => order.push(p) }), [c, b, a]);
  assert.equal(order, [c, b, a]);
  assert.equal(await to.queryAllValidPaths(), await from.queryAllValidPaths());
  assert.equal(await copyClosure(from, to, [a]), [], 'nothing left to copy');
  const other = await registry.openStore('memory://?store=/other');
  assert.is(
    await messageOf(() => copyClosure(from, other, [a])),
    "cannot copy from store 'memory://?label=from' (store directory '/nix/store') to store 'memory://?store=/other' (store directory '/other')",
  );
  for (const s of [from, to, other]) await registry.closeStore(s);
});

test.run();
