// Bad input to the format commands, run as a process: exit code 1, exactly one `error: …` line
// (worded as Nix 2.8 words the same failure, compared with Nix where it has an equivalent),
// and nothing created or changed on disk. Also `--help` on every command and subcommand.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nixFails, nixRaw, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assertFails,
  BIN,
  nixError,
  type RunResult,
  randomTree,
  snapshot,
  strata,
  strataOk,
} from './helpers.js';

const test = suite('strata format commands: bad input, --help');
const nixTest = requires(test, NIX);
const NIX_ENV = { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' };

/** Runs strata in `dir` and asserts the run left `dir` exactly as it was. */
function failsIn(dir: string, args: string[], input?: Uint8Array): RunResult {
  const before = snapshot(dir);
  const r = strata(args, { cwd: dir, input });
  assert.equal(snapshot(dir), before, `nothing created by strata ${args.join(' ')}`);
  return r;
}

/** Sets up a temporary directory with a random tree holding a FIFO, and a NAR of a tree. */
function fixture(dir: string): { tree: string; fifoTree: string; nar: Buffer; file: string } {
  const tree = join(dir, 'tree');
  randomTree(tree, 2);
  const fifoTree = join(dir, 'fifo-tree');
  randomTree(fifoTree, 1);
  execFileSync('mkfifo', [join(fifoTree, 'sub', 'a fifo')]);
  const file = join(dir, 'file');
  writeFileSync(file, randomBytes(64));
  return { tree, fifoTree, nar: nixRaw('nix-store', ['--dump', tree]), file };
}

nixTest('file system errors are worded as Nix words them', async () => {
  await withTempDir((dir) => {
    const { fifoTree } = fixture(dir);
    const missing = join(dir, 'does-not-exist');
    const cases: [string[], string, string[]][] = [
      [['hash', 'path', missing], 'nix', ['hash', 'path', missing]],
      [['hash', 'file', missing], 'nix', ['hash', 'file', missing]],
      [['nar', 'dump', missing], 'nix-store', ['--dump', missing]],
      [
        ['store-path', 'source', missing],
        'nix-store',
        ['--store', join(dir, 'r'), '--add', missing],
      ],
      [['hash', 'path', fifoTree], 'nix', ['hash', 'path', fifoTree]],
      [['nar', 'dump', fifoTree], 'nix-store', ['--dump', fifoTree]],
    ];
    for (const [args, cmd, nixArgs] of cases) {
      const theirs = nixFails(cmd, nixArgs);
      assert.is(theirs.status, 1, `${cmd} ${nixArgs.join(' ')}`);
      assertFails(failsIn(dir, args), nixError(theirs.stderr), args.join(' '));
    }
    // Relative paths are named as given, as Nix names them (run in `dir`).
    const relative: [string[], string, string[], Uint8Array?][] = [
      [['hash', 'path', './fifo-tree/'], 'nix', ['hash', 'path', './fifo-tree/']],
      [['nar', 'dump', 'fifo-tree//sub'], 'nix-store', ['--dump', 'fifo-tree//sub']],
      [['hash', 'file', 'missing'], 'nix', ['hash', 'file', 'missing']],
      [
        ['nar', 'restore', 'file'],
        'nix-store',
        ['--restore', 'file'],
        nixRaw('nix-store', ['--dump', join(fifoTree, 'empty')]),
      ],
    ];
    for (const [args, cmd, nixArgs, input] of relative) {
      const theirs = spawnSync(cmd, nixArgs, { cwd: dir, input, encoding: 'utf8', env: NIX_ENV });
      assert.is(theirs.status, 1, `${cmd} ${nixArgs.join(' ')}`);
      assertFails(failsIn(dir, args, input), nixError(theirs.stderr), args.join(' '));
    }
    // Nix 2.8 says `reading from file: Is a directory`, without the path; Strata names it.
    assertFails(
      failsIn(dir, ['hash', 'file', join(dir, 'tree')]),
      `reading file '${join(dir, 'tree')}': Is a directory`,
      'hash file of a directory',
    );
    // Nothing Nix can compare (it needs a store), but the same wording.
    assertFails(
      failsIn(dir, ['store-path', 'source', fifoTree]),
      `file '${join(fifoTree, 'sub', 'a fifo')}' has an unsupported type`,
      'source of a tree with a FIFO',
    );
    assertFails(
      failsIn(dir, ['store-path', 'text', 'x', missing]),
      `opening file '${missing}': No such file or directory`,
      'text of a missing file',
    );
  });
});

nixTest('bad hash algorithms and hashes are worded as Nix words them', async () => {
  await withTempDir((dir) => {
    const { file } = fixture(dir);
    const sha256Nix32 = 'e'.repeat(52);
    const cases: [string[], string, string[]][] = [
      [['hash', 'path', '--type', 'sha3', file], 'nix', ['hash', 'path', '--type', 'sha3', file]],
      [['hash', 'file', '--type', 'MD5', file], 'nix', ['hash', 'file', '--type', 'MD5', file]],
      [
        ['hash', 'convert', '--type', 'blake3', 'abc'],
        'nix',
        ['hash', 'to-sri', '--type', 'blake3', 'abc'],
      ],
      [
        ['hash', 'convert', '--type', 'sha256', 'zzz'],
        'nix',
        ['hash', 'to-sri', '--type', 'sha256', 'zzz'],
      ],
      [['hash', 'convert', '--to', 'base16', 'abc'], 'nix', ['hash', 'to-base16', 'abc']],
      [
        ['hash', 'convert', `sha256:${sha256Nix32}`],
        'nix',
        ['hash', 'to-sri', `sha256:${sha256Nix32}`],
      ],
      [['hash', 'convert', 'sha1-AAAA'], 'nix', ['hash', 'to-base16', 'sha1-AAAA']],
      [['hash', 'convert', 'foo:00'], 'nix', ['hash', 'to-base16', 'foo:00']],
      [
        ['store-path', 'fixed', 'sha999', '00', 'x'],
        'nix-store',
        ['--print-fixed-path', 'sha999', '00', 'x'],
      ],
      [
        ['store-path', 'fixed', 'sha256', '00', 'x'],
        'nix-store',
        ['--print-fixed-path', 'sha256', '00', 'x'],
      ],
      [
        ['store-path', 'fixed', 'sha256', '0'.repeat(52), 'a%b'],
        'nix-store',
        ['--print-fixed-path', 'sha256', '0'.repeat(52), 'a%b'],
      ],
    ];
    for (const [args, cmd, nixArgs] of cases) {
      const theirs = nixFails(cmd, nixArgs);
      assert.is(theirs.status, 1, `${cmd} ${nixArgs.join(' ')}: ${theirs.stderr}`);
      assertFails(failsIn(dir, args), nixError(theirs.stderr), args.join(' '));
    }
    assertFails(
      failsIn(dir, ['hash', 'convert', '--to', 'base99', 'sha256:x']),
      "unknown hash encoding 'base99' (expected base16, base32, nix32, base64 or sri)",
      '--to base99',
    );
  });
});

nixTest('a bad NAR leaves nothing behind; restore refuses an existing path', async () => {
  await withTempDir((dir) => {
    const { nar, tree, file } = fixture(dir);
    const target = join(dir, 'restored');
    const garbage = Buffer.from(`garbage ${randomBytes(40).toString('hex')}`);
    // Truncations inside the header, inside the tree (after directories were created), and
    // one byte short of the end; then garbage.
    for (const input of [
      nar.subarray(0, 10),
      nar.subarray(0, nar.length >> 1),
      nar.subarray(0, -1),
      garbage,
    ]) {
      const theirs = nixFails('nix-store', ['--restore', join(dir, 'nix-restored')], input);
      assert.is(theirs.status, 1);
      const message = nixError(theirs.stderr);
      execFileSync('rm', ['-rf', join(dir, 'nix-restored')]);
      const r = failsIn(dir, ['nar', 'restore', target], input);
      // Strata adds the offset of the failure: `… (at byte N)`.
      assertFails(
        r,
        new RegExp(`^error: ${message.replace(/[()'.]/g, '\\$&')} \\(at byte \\d+\\)$`),
        `${input.length} bytes`,
      );
      assert.not.ok(existsSync(target), 'no partial tree');
    }
    // Onto an existing directory, file or symlink: untouched, as Nix words it.
    mkdirSync(join(dir, 'existing'));
    writeFileSync(join(dir, 'existing', 'keep'), 'keep');
    for (const [existing, src] of [
      [join(dir, 'existing'), tree],
      [file, join(tree, 'exé')],
      [join(dir, 'existing'), join(tree, 'sub', 'link→')],
    ] as const) {
      const input = nixRaw('nix-store', ['--dump', src]);
      const theirs = nixFails('nix-store', ['--restore', existing], input);
      assertFails(
        failsIn(dir, ['nar', 'restore', existing], input),
        nixError(theirs.stderr),
        existing,
      );
    }
  });
});

nixTest('nar ls/cat of paths not in the NAR are worded as nix nar ls/cat', async () => {
  await withTempDir((dir) => {
    const { nar } = fixture(dir);
    const narFile = join(dir, 'x.nar');
    writeFileSync(narFile, nar);
    const cases: [string, string[]][] = [
      ['ls', [narFile, '/no such']],
      ['ls', ['-l', narFile, '/sub/日本/below-a-file']],
      ['ls', ['--json', '-d', narFile, '/']],
      ['cat', [narFile, '/no such']],
      ['cat', [narFile, '/sub']],
      ['cat', [narFile, '/sub/link→']],
    ];
    for (const [sub, args] of cases) {
      const theirs = nixFails('nix', ['nar', sub, ...args]);
      assert.is(theirs.status, 1);
      const json = args.includes('--json');
      const ours = failsIn(dir, [
        'nar',
        sub,
        ...args.filter((a) => a !== '--json'),
        ...(json ? ['--json'] : []),
      ]);
      assertFails(ours, nixError(theirs.stderr), `nar ${sub} ${args.join(' ')}`);
    }
    // A missing NAR file (Nix 2.8: `opening file '…': No such file or directory`).
    assertFails(
      failsIn(dir, ['nar', 'ls', join(dir, 'missing.nar'), '/']),
      /^error: .*'[^']*missing\.nar'.*$/,
      'missing NAR file',
    );
    // From stdin, a truncated NAR.
    const r = failsIn(dir, ['nar', 'ls', '-', '/'], nar.subarray(0, 50));
    assertFails(r, /^error: unexpected end-of-file \(at byte \d+\)$/, 'truncated on stdin');
  });
});

nixTest('invalid store paths and names are worded as Nix words them', async () => {
  await withTempDir((dir) => {
    const { file } = fixture(dir);
    // Names Nix rejects in builtins.toFile, with the hash part in the message.
    for (const name of ['a%b', '', 'n'.repeat(212), 'spa ce']) {
      const theirs = nixFails('nix-instantiate', [
        '--store',
        join(dir, 'root'),
        '--read-write-mode',
        '--eval',
        '-E',
        `builtins.toFile "${name}" "contents"`,
      ]);
      assert.is(theirs.status, 1, theirs.stderr);
      writeFileSync(join(dir, 'contents'), 'contents');
      assertFails(
        failsIn(dir, ['store-path', 'text', name, 'contents']),
        nixError(theirs.stderr),
        `name '${name}'`,
      );
    }
    execFileSync('chmod', ['-R', 'u+w', dir]);
    const h = '0'.repeat(32);
    const cases: [string[], string][] = [
      [['store-path', 'parse', '/nix/store/abc'], "'abc' is too short to be a valid store path"],
      [['store-path', 'parse', `/nix/store/${h}-`], `store path '${h}-' has an empty name`],
      [
        ['store-path', 'parse', `/nix/store/${h}-a/b`],
        `path '/nix/store/${h}-a/b' is not in the Nix store`,
      ],
      [
        ['store-path', 'parse', `/opt/store/${h}-a`],
        `path '/opt/store/${h}-a' is not in the Nix store`,
      ],
      [
        ['store-path', 'parse', `/nix/store/${'e'.repeat(32)}-a`],
        `store path '${'e'.repeat(32)}-a' contains illegal base-32 character 'e'`,
      ],
      [
        ['store-path', 'parse', `/nix/store/${h}-a b`],
        `store path '${h}-a b' contains illegal character ' '`,
      ],
      [
        ['store-path', 'text', 'x', file, '--ref', '/nix/store/abc'],
        "'abc' is too short to be a valid store path",
      ],
    ];
    for (const [args, message] of cases) assertFails(failsIn(dir, args), message, args.join(' '));
  });
});

test('usage errors: unknown command or option, missing argument', async () => {
  await withTempDir((dir) => {
    const cases: [string[], string][] = [
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['hash', 'frob'], "unknown command 'frob'"],
      [['hash', 'path', '--frob', 'x'], "unknown option '--frob'"],
      [['hash', 'path'], "missing required argument 'paths'"],
      [['hash', 'file', '--type'], "option '--type <algo>' argument missing"],
      [['nar', 'dump'], "missing required argument 'path'"],
      [['nar', 'restore'], "missing required argument 'path'"],
      [['nar', 'cat', '-'], "missing required argument 'path'"],
      [['store-path', 'fixed', 'sha256'], "missing required argument 'hash'"],
      [['store-path', 'text', 'name'], "missing required argument 'file'"],
    ];
    for (const [args, message] of cases) assertFails(failsIn(dir, args), message, args.join(' '));
  });
});

test('stdout: a reader that goes away ends the output quietly (exit 0, as Nix); a full disk fails', async () => {
  // ~300 KB of text, far more than a pipe holds, so writes are still pending when the reader
  // closes its end.
  const hashes = Array.from({ length: 5000 }, (_, i) =>
    createHash('sha256').update(String(i)).digest('hex'),
  );
  const args = [BIN, 'hash', 'convert', '--type', 'sha256', '--to', 'base32', ...hashes];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const first = await new Promise<Buffer>((resolve) => child.stdout.once('data', resolve));
  assert.match(first.toString(), /^[0-9a-z]{52}\n/);
  child.stdout.destroy();
  const status = await new Promise((resolve) => child.on('close', resolve));
  assert.is(stderr, '');
  assert.is(status, 0);

  if (!existsSync('/dev/full')) return;
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', full, 'pipe'] });
    assert.is(r.stderr.toString(), 'error: writing to file: No space left on device\n');
    assert.is(r.status, 1);
  } finally {
    closeSync(full);
  }
});

test("interrupted (SIGINT, SIGTERM): Nix's line, exit code 1, no temporary object left", () =>
  withTempDir(async (dir) => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    for (let i = 0; i < 2000; i++) writeFileSync(join(tree, `f${i}`), randomBytes(512));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const root = join(dir, `root-${signal}`);
      // `import` waits on stdin, mid-stream: the signal always finds it at work.
      const child = spawn(process.execPath, [BIN, '--store', root, 'import'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.stdin.write(Buffer.alloc(8, 0).fill(1, 0, 1)); // "1": an entry follows
      // The handler is in place once the process has opened the store.
      for (let i = 0; i < 200 && !existsSync(join(root, 'nix/var/nix/db/db.sqlite')); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill(signal);
      const status = await new Promise((resolve) => child.on('close', resolve));
      assert.is(status, 1, signal);
      assert.is(stderr, 'error: interrupted by the user\n', signal);
    }
    // An add stopped half-way leaves no temporary object behind.
    const root = join(dir, 'root-add');
    const child = spawn(process.execPath, [BIN, '--store', root, 'add', tree], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !existsSync(join(root, 'nix/store/.links')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
    const left = readdirSync(join(root, 'nix/store')).filter((n) => n.includes('-strata-tmp-'));
    assert.equal(left, []);
  }));

test('--help works on every command and subcommand', () => {
  const commandsOf = (help: string): string[] => {
    const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? '';
    return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
  };
  const top = strataOk(['--help']).toString('utf8');
  assert.match(top, /Usage: strata/);
  const commands = commandsOf(top);
  for (const c of ['hash', 'nar', 'store-path']) assert.ok(commands.includes(c), c);
  let seen = 0;
  for (const c of commands) {
    const help = strataOk([c, '--help']).toString('utf8');
    assert.match(help, new RegExp(`Usage: strata ${c}`));
    for (const sub of commandsOf(help)) {
      assert.match(
        strataOk([c, sub, '--help']).toString('utf8'),
        new RegExp(`Usage: strata ${c} ${sub}`),
      );
      seen++;
    }
  }
  // hash: path file convert; nar: dump restore ls cat; store-path: parse fixed source text output.
  assert.ok(seen >= 12, `${seen} subcommands`);
});

test.run();
