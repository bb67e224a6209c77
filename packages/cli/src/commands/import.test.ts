// `strata import`, run in-process, against `nix-store --import` of the same export streams
// (made by Nix from a store of 600 text paths in reference chains): the printed paths, the
// rows and files of the resulting stores, and a stream whose NAR is damaged mid-way (the
// paths before it are valid in both, nothing else is added, nothing is printed).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureStream, NIX, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../index.js';

const test = suite('strata import: as nix-store --import');
const nixTest = requires(test, NIX);

const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** 600 text paths in chains of 200, each referring to the one before and the one 7 before. */
function makeStore(dir: string): { root: string; paths: string[] } {
  const root = join(dir, 'source');
  const expr = `
    let
      mod = a: b: a - (a / b) * b;
      f = i: builtins.toFile "p\${toString i}" (
        if mod i 200 == 0 then "root \${toString i}"
        else "node \${toString i} \${builtins.elemAt paths (i - 1)} \${
          if mod i 200 >= 7 then builtins.elemAt paths (i - 7) else ""}");
      paths = builtins.genList f 600;
    in builtins.deepSeq paths (builtins.concatStringsSep "\\n" paths)`;
  const out = execFileSync('nix', ['eval', '--raw', '--store', root, '--expr', expr], {
    env: NIX_ENV,
    encoding: 'utf8',
  });
  return { root, paths: out.split('\n') };
}

function exportOf(root: string, paths: string[]): Buffer {
  return execFileSync('nix-store', ['--store', root, '--export', ...paths], {
    env: NIX_ENV,
    maxBuffer: 1 << 28,
  });
}

function nixImport(root: string, input: Buffer) {
  const r = spawnSync('nix-store', ['--store', root, '--import'], { input, env: NIX_ENV });
  const error =
    r.stderr
      .toString()
      .split('\n')
      .find((l) => l.startsWith('error: ')) ?? '';
  return { out: r.stdout.toString(), error, status: r.status };
}

async function strataImport(dir: string, root: string, input: Buffer) {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/nix.conf'), '');
  const stdout = captureStream();
  const stderr = captureStream();
  const env = { HOME: join(dir, 'home'), NIX_CONF_DIR: join(dir, 'etc'), PATH: '' };
  const status = await main(['--store', root, 'import'], {
    stdout,
    stderr,
    cwd: dir,
    env,
    stdin: Readable.from([input]),
  });
  const error =
    stderr
      .text()
      .split('\n')
      .find((l) => l.startsWith('error: ')) ?? '';
  return { out: stdout.text(), error, status };
}

/** The registrations (`nix-store --dump-db`: path, hash, size, deriver, references). */
function rows(root: string): string {
  return execFileSync('nix-store', ['--store', root, '--dump-db'], { env: NIX_ENV }).toString();
}

/** The store directory's entries (but `.links`) with mode and contents. */
function files(root: string): string[] {
  const dir = join(root, 'nix/store');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n !== '.links')
    .sort()
    .map((n) => `${n} ${lstatSync(join(dir, n)).mode.toString(8)} ${readFileSync(join(dir, n))}`);
}

nixTest('imports and prints what nix-store --import imports and prints', () =>
  withTempDir(async (dir) => {
    const s = makeStore(dir);
    // Not in reference order on purpose: the export puts references first.
    const stream = exportOf(s.root, [...s.paths].reverse());
    const viaNix = join(dir, 'nix');
    const viaStrata = join(dir, 'strata');
    const n = nixImport(viaNix, stream);
    const r = await strataImport(dir, viaStrata, stream);
    assert.is(r.error, '');
    assert.is(r.status, 0);
    assert.is(r.out, n.out);
    assert.equal(rows(viaStrata), rows(viaNix));
    assert.equal(files(viaStrata), files(viaNix));
    const v = spawnSync('nix-store', ['--store', viaStrata, '--verify', '--check-contents'], {
      encoding: 'utf8',
    });
    assert.is(v.status, 0, v.stderr);
  }),
);

nixTest('a NAR damaged mid-stream: the same error, the same store, nothing printed', () =>
  withTempDir(async (dir) => {
    const s = makeStore(dir);
    const head = s.paths.slice(0, 300);
    const stream = exportOf(s.root, head);
    // The 301st path's NAR, its `nix-archive-1` magic damaged: Nix fails as it parses it.
    const next = exportOf(s.root, [s.paths[300]!]);
    const damaged = Buffer.from(next.subarray(0, next.length - 8));
    damaged[8 + 8 + 3] ^= 0xff;
    const input = Buffer.concat([stream.subarray(0, stream.length - 8), damaged, stream]);
    const viaNix = join(dir, 'nix');
    const viaStrata = join(dir, 'strata');
    const n = nixImport(viaNix, input);
    const r = await strataImport(dir, viaStrata, input);
    assert.is.not(n.status, 0);
    assert.is(r.status, 1);
    assert.is(n.out, '');
    assert.is(r.out, '');
    // Strata adds the offset to NAR errors: `… (at byte N)`.
    assert.match(r.error, n.error.replace(/\.$/, ''));
    assert.equal(rows(viaStrata), rows(viaNix));
    const valid = execFileSync('nix', ['path-info', '--store', viaNix, '--all'], { env: NIX_ENV });
    assert.equal(valid.toString().trim().split('\n').sort(), head.slice().sort());
    assert.equal(files(viaStrata), files(viaNix));
  }),
);

test.run();
