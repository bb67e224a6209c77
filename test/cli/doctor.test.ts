/**
 * `strata doctor` on local stores: each problem is reported with a fix that, when run, makes
 * the problem go away; a healthy or not-yet-created store has none (and is not created).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from './helpers.js';

const test = suite('strata doctor');
const rootTest = requires(test, ROOT);

test('a store that does not exist yet: no problems, nothing created', () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'none');
    const r = strata(['--store', root, 'doctor']);
    assert.is(r.status, 0, r.stderr);
    assert.match(
      r.stdout.toString(),
      /schema version: none \(no database yet\)\nno problems found\n$/,
    );
    assert.is(existsSync(root), false);
  } finally {
    t.cleanup();
  }
});

test('leftovers and a newer schema: each with its fix; running the fix clears it', () => {
  const t = tempDir();
  try {
    const root = join(t.path, 'r');
    writeFileSync(join(t.path, 'f'), 'x');
    assert.is(strata(['--store', root, 'add', join(t.path, 'f')]).status, 0);
    mkdirSync(join(root, 'nix/store/add-99999-0'));
    writeFileSync(join(root, 'nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x.lock'), '');
    let r = strata(['--store', root, 'doctor', '--json']);
    assert.is(r.status, 1);
    const d = JSON.parse(r.stdout.toString());
    assert.is(d.kind, 'Local Store');
    assert.is(d.problems.length, 1);
    assert.match(d.problems[0].message, /2 leftover entries in the store dir/);
    const fix: string = d.problems[0].fix;
    assert.is(fix, `strata --store 'local://${root}' gc`);
    assert.is(strata(['--store', `local://${root}`, 'gc']).status, 0);
    r = strata(['--store', root, 'doctor']);
    assert.is(r.status, 0, r.stdout.toString());

    writeFileSync(join(root, 'nix/var/nix/db/schema'), '11');
    r = strata(['--store', root, 'doctor']);
    assert.is(r.status, 1);
    assert.match(
      r.stdout.toString(),
      /problem: current Nix store schema is version 11, but I only support 10\n {4}fix: /,
    );
  } finally {
    t.cleanup();
  }
});

rootTest('a database directory the user cannot write: the fix names the owner change', () => {
  const t = tempDir();
  try {
    chmodSync(t.path, 0o755);
    const root = join(t.path, 'r');
    writeFileSync(join(t.path, 'f'), 'x');
    assert.is(strata(['--store', root, 'add', join(t.path, 'f')]).status, 0);
    const bin = new URL('../../packages/cli/bin/strata.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, '--store', root, 'doctor'], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: t.path },
    });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stdout, /problem: '.*\/nix\/var\/nix\/db' is not writable by uid 65534/);
    assert.match(r.stdout, /fix: chown -R 65534 /);
  } finally {
    t.cleanup();
  }
});

test.run();
