// `strata query requisites|referrers-closure|tree|graph`, run in-process on a chroot store
// Nix 2.8 made (two reference chains, one start of each in the other's closure): stdout byte
// for byte and the error line as `nix-store -q` prints them, for several start paths at once,
// invalid ones among them (Nix prints an invalid path's referrers closure as the path alone,
// and a tree or graph up to where it fails), and a reference cycle put into the database.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureStream, NIX, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../index.js';

const test = suite('strata query: closures, trees and graphs as nix-store -q prints them');
const nixTest = requires(test, NIX);

const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** Two chains of 30 text paths in `root`; the second's paths also refer to the first's. */
function makeStore(dir: string): { root: string; chains: string[] } {
  const root = join(dir, 'root');
  const expr = `
    let
      f = i: builtins.toFile "q\${toString i}" (
        if i == 0 then "root" else "node \${toString i} \${builtins.elemAt paths (i - 1)} \${
          if i >= 30 then builtins.elemAt paths (i - 30) else ""}");
      paths = builtins.genList f 60;
    in builtins.concatStringsSep "\\n" paths`;
  const out = execFileSync('nix', ['eval', '--raw', '--store', root, '--expr', expr], {
    env: NIX_ENV,
    encoding: 'utf8',
  });
  return { root, chains: out.split('\n') };
}

/** What `nix-store -q` prints: stdout, and its error line or ''. */
function nixQuery(root: string, flag: string, args: string[]) {
  const r = spawnSync('nix-store', ['--store', root, '-q', flag, ...args], {
    encoding: 'utf8',
    env: NIX_ENV,
  });
  const error = r.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';
  return { out: r.stdout, error, status: r.status };
}

async function strataQuery(dir: string, root: string, kind: string, args: string[]) {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/nix.conf'), '');
  const stdout = captureStream();
  const stderr = captureStream();
  const env = { HOME: join(dir, 'home'), NIX_CONF_DIR: join(dir, 'etc'), PATH: '' };
  const status = await main(['--store', root, 'query', kind, ...args], {
    stdout,
    stderr,
    cwd: dir,
    env,
    stdin: Readable.from([]),
  });
  const error =
    stderr
      .text()
      .split('\n')
      .find((l) => l.startsWith('error: ')) ?? '';
  return { out: stdout.text(), error, status };
}

const KINDS = ['requisites', 'referrers-closure', 'tree', 'graph'];

nixTest('several start paths, valid and not, print as nix-store -q prints them', () =>
  withTempDir(async (dir) => {
    const { root, chains } = makeStore(dir);
    const missing = `/nix/store/${'d'.repeat(32)}-missing`;
    const argSets = [
      [chains[29]!],
      [chains[59]!],
      [chains[0]!],
      [chains[31]!, chains[3]!],
      [chains[40]!, chains[10]!, chains[45]!],
      [missing],
      [chains[12]!, missing],
      [missing, chains[50]!],
    ];
    for (const kind of KINDS) {
      for (const args of argSets) {
        const expected = nixQuery(root, `--${kind}`, args);
        const ours = await strataQuery(dir, root, kind, args);
        const what = `${kind} ${args.map((a) => a.slice(44)).join(' ')}`;
        assert.is(ours.out, expected.out, what);
        assert.is(ours.error, expected.error, what);
        assert.is(ours.status, expected.status, what);
      }
    }
  }),
);

nixTest('a reference cycle in the database fails as in Nix', () =>
  withTempDir(async (dir) => {
    const { root, chains } = makeStore(dir);
    const db = join(root, 'nix/var/nix/db/db.sqlite');
    const id = (p: string) => `(select id from ValidPaths where path = '${p}')`;
    // q5 refers to q4 …; make q2 refer to q4 as well.
    execFileSync('sqlite3', [
      db,
      `insert into Refs (referrer, reference) values (${id(chains[2]!)}, ${id(chains[4]!)})`,
    ]);
    for (const [kind, start] of [
      ['requisites', chains[6]!],
      ['requisites', chains[33]!],
      ['referrers-closure', chains[1]!],
    ] as const) {
      const expected = nixQuery(root, `--${kind}`, [start]);
      assert.is(expected.status, 1);
      assert.match(expected.error, /^error: cycle detected in the references of '/);
      const ours = await strataQuery(dir, root, kind, [start]);
      assert.is(ours.error, expected.error, `${kind} ${start}`);
      assert.is(ours.out, expected.out);
      assert.is(ours.status, 1);
    }
  }),
);

test.run();
