/**
 * Strata and Nix 2.8 on one store at the same time: adds and garbage collections from both
 * sides interleave; every path Strata added is still there (its temporary roots protect it from
 * Nix's collector, and Nix's protect Nix's from ours) and both verify the store clean.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreRegistry } from '@strata/core';
import { NIX, nixFails, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import localPlugin from '../index.js';

const test = suite('local store: concurrent with Nix');
const nixTest = requires(test, NIX);

nixTest(
  'Strata and Nix add and collect garbage concurrently; the store verifies clean',
  async () => {
    const t = tempDir();
    let nixLoop: Promise<number | null> | undefined;
    try {
      const root = join(t.path, 'r');
      const src = join(t.path, 'src');
      mkdirSync(src);
      const rounds = 20;
      for (let i = 0; i < rounds; i++) {
        writeFileSync(join(src, `nix-${i}`), `added by nix ${i}\n`.repeat(1000));
        mkdirSync(join(src, `strata-${i}`));
        for (let j = 0; j < 20; j++)
          writeFileSync(join(src, `strata-${i}`, `f${j}`), `strata ${i} ${j}\n`);
      }
      const registry = new StoreRegistry();
      registry.register(localPlugin);
      const store = await registry.openStore(`local?root=${encodeURIComponent(root)}`, { env: {} });
      await store.addTextToStore('seed', 'seed');

      const script = `for i in $(seq 0 ${rounds - 1}); do
      nix-store --store ${root} --add ${src}/nix-$i >/dev/null || exit 1
      nix-store --store ${root} --gc >/dev/null 2>&1 || exit 2
    done`;
      nixLoop = new Promise<number | null>((resolve) => {
        const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => {
          err += d;
        });
        child.on('exit', (code) => {
          if (code !== 0) process.stderr.write(err);
          resolve(code);
        });
      });
      const ours: string[] = [];
      for (let i = 0; i < rounds; i++) {
        ours.push((await store.addToStore(join(src, `strata-${i}`))).path);
        if (i % 3 === 2) await store.collectGarbage({ action: 'delete-dead' });
      }
      assert.is(await nixLoop, 0);
      for (const p of ours) {
        assert.ok(await store.isValidPath(p), `${p} still valid`);
        assert.ok(existsSync(join(root, p)), `${p} still on disk`);
      }
      const ourVerify = await store.verify({ checkContents: true });
      assert.is(ourVerify.errors, false, ourVerify.messages.join('\n'));
      await store.close();
      const v = nixFails('nix-store', ['--store', root, '--verify', '--check-contents']);
      assert.is(v.status, 0, v.stderr);
    } finally {
      t.cleanup();
    }
  },
);

test.run();
