#!/usr/bin/env node
/**
 * Records the V8 code caches of the bundles (`bundle/*.cjs.v8cache`, read by
 * packages/cli/bin/code-cache.cjs): runs a few typical `strata` commands in this process on a
 * throw-away store, then saves each bundle's compiled code. V8 puts into a cache the functions
 * compiled so far, so what these commands ran starts compiled in every later process.
 *
 * Nothing outside a temporary directory is read or written: every command names its store, and
 * HOME, XDG and Nix configuration point into the temporary directory.
 *
 * Usage: node scripts/code-cache-warm.mjs   (run by scripts/bundle.mjs)
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { installCodeCache } = require(join(ROOT, 'packages/cli/bin/code-cache.cjs'));
const scripts = installCodeCache({ record: true });
const { main } = require(join(ROOT, 'packages/cli/bundle/index.cjs'));

const dir = mkdtempSync(join(tmpdir(), 'strata-code-cache-'));
try {
  const store = join(dir, 'store');
  const file = join(dir, 'hello.txt');
  writeFileSync(file, 'hello\n');
  mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'a'), 'a\n');
  writeFileSync(join(dir, 'tree', 'sub', 'b'), 'b\n');

  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    NIX_CONF_DIR: join(dir, 'nix-conf'),
    NIX_USER_CONF_FILES: join(dir, 'nix-conf', 'none.conf'),
  };
  let out = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += chunk;
      done();
    },
  });
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
  const run = async (...argv) => {
    out = '';
    await main(argv, { stdout, stderr, env, cwd: dir });
    return out.trim().split('\n').filter(Boolean);
  };

  await run('--help');
  await run('hash', 'path', join(dir, 'tree'));
  const [text, tree] = await run('--store', store, 'add', file, join(dir, 'tree'));
  for (const args of [
    ['path-info', text, tree],
    ['path-info', '--json', '-r', tree],
    ['query', 'requisites', tree],
    ['query', 'referrers-closure', text],
    ['query', 'references', tree],
    ['query', 'tree', tree],
    ['query', 'graph', tree],
    ['verify', '--check-contents'],
    ['gc', '--print-dead'],
    ['gc'],
  ]) {
    await run('--store', store, ...args);
  }
  for (const [filename, script] of scripts) {
    // Written beside and renamed: a process starting meanwhile reads a whole cache or none.
    writeFileSync(`${filename}.v8cache.tmp`, script.createCachedData());
    renameSync(`${filename}.v8cache.tmp`, `${filename}.v8cache`);
  }
  process.stdout.write(`recorded V8 code caches for ${scripts.size} bundles\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
