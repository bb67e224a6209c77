// The shared algorithms and a third-party plugin against Nix 2.8: the same text objects made
// by `builtins.toFile` in a scratch chroot store and by the memory plugin must have the same
// paths, hashes, NARs, closures, topological order and referrers closures.
import { execFileSync } from 'node:child_process';
import { computeClosure, topoSortPaths, topoSortStorePaths } from '@strata/core';
import { NIX, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testRegistry } from './helpers.js';

const test = suite('algorithms vs nix 2.8');
const nixTest = requires(test, NIX);

const env = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, encoding: 'utf8' });

/** A small random DAG: node i refers to some nodes with a lower index. */
function dag(seed: number, n: number): number[][] {
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  return Array.from({ length: n }, (_v, i) =>
    Array.from({ length: i }, (_w, j) => j).filter(() => rand() < 0.3),
  );
}

nixTest('paths, closures and orders match nix-store', async () => {
  const dir = tempDir('strata-interop-');
  const { registry } = await testRegistry();
  const store = await registry.openStore('memory://');
  try {
    for (const seed of [1, 7, 42]) {
      const refs = dag(seed, 9);
      const names = refs.map((_r, i) => `n${seed}-${i}`);
      const lets = refs
        .map(
          (rs, i) =>
            `${names[i]!.replace('-', '_')} = builtins.toFile "${names[i]}" "${names[i]}${rs.map((j) => ` \${${names[j]!.replace('-', '_')}}`).join('')}";`,
        )
        .join(' ');
      const list = names.map((n) => n.replace('-', '_')).join(' ');
      const nixPaths = JSON.parse(
        run('nix', ['eval', '--store', dir.path, '--json', '--expr', `let ${lets} in [ ${list} ]`]),
      ) as string[];
      const ours: string[] = [];
      for (const [i, rs] of refs.entries()) {
        const text = `${names[i]}${rs.map((j) => ` ${ours[j]}`).join('')}`;
        ours.push(
          await store.addTextToStore(
            names[i]!,
            text,
            rs.map((j) => ours[j]!),
          ),
        );
      }
      assert.equal(ours, nixPaths, 'text paths with references');
      const top = ours[ours.length - 1]!;
      const nixClosure = run('nix-store', ['--store', dir.path, '-qR', top]).trim().split('\n');
      assert.equal(await computeClosure(store, [top]), [...nixClosure].sort());
      assert.equal(
        (await topoSortStorePaths(store, nixClosure)).reverse(),
        nixClosure,
        'nix-store -qR order',
      );
      const bottom = ours[0]!;
      const nixReferrers = run('nix-store', [
        '--store',
        dir.path,
        '-q',
        '--referrers-closure',
        bottom,
      ])
        .trim()
        .split('\n');
      assert.equal(
        await computeClosure(store, [bottom], { direction: 'referrers' }),
        [...nixReferrers].sort(),
      );
      for (const p of [top, bottom]) {
        const info = await store.queryPathInfo(p);
        assert.is(
          run('nix-store', ['--store', dir.path, '-q', '--hash', p]).trim(),
          info.narHash.toString('base32'),
        );
        assert.is(
          Number(run('nix-store', ['--store', dir.path, '-q', '--size', p]).trim()),
          info.narSize,
        );
        const nar = execFileSync('nix-store', ['--store', dir.path, '--dump', `${dir.path}${p}`], {
          env,
        });
        const chunks: Uint8Array[] = [];
        for await (const c of store.narFromPath(p)) chunks.push(c);
        assert.ok(Buffer.concat(chunks).equals(nar), 'NAR bytes');
      }
    }
  } finally {
    await registry.closeStore(store);
    dir.cleanup();
  }
});

test('a cycle is reported with Nix’s message', () => {
  assert.throws(
    () => topoSortPaths(['/s/a', '/s/b'], (p) => (p === '/s/a' ? ['/s/b'] : ['/s/a'])),
    (e: Error) => e.message === "cycle detected in the references of '/s/a' from '/s/b'",
  );
  assert.equal(
    topoSortPaths(['/s/a'], () => ['/s/a']),
    ['/s/a'],
    'self references are fine',
  );
});

test.run();
