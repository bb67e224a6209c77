// Strata's configuration against real Nix 2.8: for the same files and environment,
// `nix show-config` and Strata's listing must print the same values, and bad lines must fail
// with Nix's message (Strata appends where the value came from).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NIX, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfiguration } from './load-configuration.js';
import type { Env } from './nix-conf/locations.js';
import { showConfigText } from './show.js';

const test = suite('configuration vs nix show-config');
const nixTest = requires(test, NIX);

// `nix` itself sets pure-eval at start-up (the declared default is false); nothing else differs.
const NOT_COMPARED = new Set(['pure-eval']);

async function rejects(p: Promise<unknown>, message: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.is((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected the error: ${message}`);
}

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

function runNix(env: Env, args: string[] = []) {
  const r = spawnSync(
    'nix',
    ['--extra-experimental-features', 'nix-command', ...args, 'show-config'],
    {
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      encoding: 'utf8',
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function ours(env: Env, cwd: string, options: Array<[string, string]> = []) {
  return loadConfiguration({
    env: { PATH: process.env.PATH, ...env },
    cwd,
    flags: { options: [['extra-experimental-features', 'nix-command'], ...options] },
    strataFile: false,
  });
}

function comparable(listing: string): string[] {
  return listing
    .split('\n')
    .filter((l) => l !== '' && !NOT_COMPARED.has(l.slice(0, l.indexOf(' = '))));
}

/** Runs both and asserts equal listings; returns both sides' warnings. */
async function same(env: Env, cwd: string, options: Array<[string, string]> = []) {
  const args = options.flatMap(([n, v]) => ['--option', n, v]);
  const nix = runNix(env, args);
  assert.is(nix.status, 0, nix.stderr);
  const config = await ours(env, cwd, options);
  assert.equal(comparable(showConfigText(config, { origins: false })), comparable(nix.stdout));
  const nixWarnings = nix.stderr
    .split('\n')
    .filter((l) => l.startsWith('warning: '))
    .map((l) => l.slice('warning: '.length));
  return { config, nixWarnings };
}

const TRICKY_SYSTEM = [
  '# a tricky nix.conf',
  '  cores  \t =   3   # trailing comment',
  'include sub/a.conf',
  '!include does-not-exist.conf',
  'binary-caches = https://a.example.org/ https://b.example.org',
  'extra-binary-caches = https://c.example.org https://a.example.org/',
  'extra-substituters = https://d.example.org',
  'gc-keep-outputs = yes',
  'build-use-sandbox = relaxed',
  'access-tokens = b.com=2 a.com=1 junk a.com=9',
  'extra-access-tokens = a.com=3 c.com=4',
  'system-features = "z y" x x',
  'extra-system-features = a',
  'trusted-substituters = https://z.example.org https://y.example.org https://z.example.org',
  'extra-experimental-features = flakes',
  'experimental-features = ca-derivations recursive-nix',
  'max-jobs = auto',
  'post-build-hook = /bin/x    --flag\t  y',
  'build-max-silent-time = -5',
  'min-free = 18446744073709551615',
  'log-lines = 0',
  'sandbox-paths = /b=/nix/b /a?',
  'allowed-users = b a a',
  'nix-path = nixpkgs=/x b=https://e.org/y.tar.gz',
  'unknown-thing = 1',
  'extra-cores = 7',
].join('\n');

nixTest('tricky system file: includes, extra-, aliases, comments, whitespace, CRLF', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': `${TRICKY_SYSTEM}\r\n`,
      'etc/sub/a.conf': 'cores = 4\r\ninclude ../../other/b.conf\nmax-jobs = 9\n',
      'other/b.conf': 'timeout = 11\nkeep-derivations = 0\n',
    });
    const env = { HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc` };
    const { config, nixWarnings } = await same(env, d);
    assert.equal(
      config.warnings
        .filter((w) => w.startsWith('unknown setting '))
        .map((w) => w.replace(/ \(from .*\)$/, '')),
      nixWarnings.filter((w) => w.startsWith('unknown setting ')),
    );
    assert.is(config.render('cores'), '4');
    assert.is(config.render('timeout'), '11');
  }),
);

nixTest('XDG user files: the first directory wins, $XDG_CONFIG_HOME above all', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'cores = 1\nmax-silent-time = 1\nextra-trusted-users = sys\n',
      'ch/nix/nix.conf': 'cores = 12\nextra-trusted-users = home\n',
      'd1/nix/nix.conf': 'cores = 4\nmax-jobs = 4\ntimeout = 4\nextra-trusted-users = d1\n',
      'd2/nix/nix.conf': 'cores = 5\nmax-jobs = 5\nrepeat = 5\nextra-trusted-users = d2\n',
      'home/.config/nix/nix.conf': 'cores = 77\n',
    });
    const env = {
      HOME: `${d}/home`,
      NIX_CONF_DIR: `${d}/etc`,
      XDG_CONFIG_HOME: `${d}/ch`,
      XDG_CONFIG_DIRS: `${d}/d1::${d}/d2:${d}/missing`,
    };
    const { config } = await same(env, d);
    assert.equal(config.get('trusted-users'), ['root', 'sys', 'd2', 'd1', 'home']);
  }),
);

nixTest('$HOME/.config and NIX_USER_CONF_FILES (with empty entries)', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'cores = 1\n',
      'home/.config/nix/nix.conf': 'cores = 12\ntimeout = 3\n',
      'a.conf': 'cores = 6\n',
      'b.conf': 'cores = 7\ntimeout = 7\n!include a.conf\n',
    });
    await same({ HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc`, XDG_CONFIG_DIRS: `${d}/none` }, d);
    await same(
      {
        HOME: `${d}/home`,
        NIX_CONF_DIR: `${d}/etc`,
        NIX_USER_CONF_FILES: `:${d}/a.conf::${d}/b.conf:`,
      },
      d,
    );
    await same({ HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc`, NIX_USER_CONF_FILES: '' }, d);
  }),
);

nixTest('NIX_CONFIG (CRLF, absolute include) and --option over everything', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'cores = 1\nsubstituters = https://s.example.org\n',
      'inc.conf': 'timeout = 21\n',
    });
    const env = {
      HOME: `${d}/home`,
      NIX_CONF_DIR: `${d}/etc`,
      NIX_CONFIG: `cores = 9\r\nmax-jobs = 9\n\ninclude ${d}/inc.conf\nextra-substituters = https://n.example.org\n`,
    };
    await same(env, d);
    const { config } = await same(env, d, [
      ['cores', '11'],
      ['max-jobs', '12'],
      ['extra-substituters', 'https://o.example.org'],
      ['binary-caches', 'https://p.example.org'],
      ['foo', 'bar'],
    ]);
    assert.equal(config.setting('cores')!.origin, { kind: 'flag', flag: '--option cores' });
    assert.equal(config.setting('timeout')!.origin, {
      kind: 'nix.conf',
      file: `${d}/inc.conf`,
      line: 1,
    });
  }),
);

nixTest('defaults taken from the environment', () =>
  withTempDir(async (d) => {
    mkdirSync(`${d}/home/.nix-defexpr/channels`, { recursive: true });
    await same({ HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc` }, d);
    await same(
      {
        HOME: `${d}/home`,
        NIX_CONF_DIR: `${d}/x/../etc//`,
        NIX_REMOTE: 'daemon',
        NIX_IGNORE_SYMLINK_STORE: '1',
        NIX_REMOTE_SYSTEMS: `:${d}/m1::${d}/m2`,
        NIX_PATH: 'a=https://x.org/y:b:channel:foo:c=git://h/x::d',
        NIX_LIBEXEC_DIR: '/opt/../lib//exec/',
      },
      d,
    );
    await same({ HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc`, NIX_REMOTE: '', NIX_PATH: '' }, d);
  }),
);

// Bad values: Nix's message, then where the value came from.
const BAD_VALUES = [
  'cores = abc',
  'cores = -1',
  'cores = 4294967296',
  'cores =',
  'cores = 3 4',
  'keep-outputs = True',
  'keep-outputs =',
  'gc-keep-outputs = 2',
  'sandbox = yes',
  'sandbox = 1',
  'max-jobs = x',
  'max-jobs = -1',
  'build-max-jobs = 4294967296',
  'timeout = 9223372036854775808',
  'min-free = -1',
  'max-free = 18446744073709551616',
  'log-lines = 1.5',
  'http-connections = 0x10',
  'narinfo-cache-positive-ttl = 4294967296',
  'build-poll-interval = 1e3',
];

for (const line of BAD_VALUES) {
  nixTest(`bad value: ${line}`, () =>
    withTempDir(async (d) => {
      tree(d, { 'etc/nix.conf': `# first\n${line}\n` });
      const env = { HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc` };
      const nix = runNix(env);
      assert.is(nix.status, 1);
      const nixMessage = /^error: (.*)$/m.exec(nix.stderr)![1]!;
      try {
        await ours(env, d);
        assert.unreachable('accepted a value Nix rejects');
      } catch (e) {
        assert.is((e as Error).message, `${nixMessage} (from ${d}/etc/nix.conf:2)`);
      }
      // Through --option the same error is only a warning, in both.
      const flagged = runNix({ HOME: env.HOME, NIX_CONF_DIR: `${d}/none` }, [
        '--option',
        ...(line.split(/ = ?/) as [string, string]),
      ]);
      assert.is(flagged.status, 0);
      assert.match(flagged.stderr, `warning: error: ${nixMessage}\n`);
      const [name, value] = line.split(/ = ?/) as [string, string];
      const config = await ours({ HOME: env.HOME, NIX_CONF_DIR: `${d}/none` }, d, [[name, value]]);
      assert.ok(
        config.warnings.includes(`${nixMessage} (from --option ${name})`),
        config.warnings.join('\n'),
      );
    }),
  );
}

nixTest('syntax errors and missing includes name the same line and files as Nix', () =>
  withTempDir(async (d) => {
    const env = { HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc` };
    for (const bad of ['cores=5', 'cores =3', '=', '  cores   # x', 'include = x', 'include a b']) {
      tree(d, { 'etc/nix.conf': `cores = 1\n${bad}\n` });
      const nixMessage = /^error: (.*)$/m.exec(runNix(env).stderr)![1]!;
      const m = /^illegal configuration line '(.*)' in '(.*)'$/.exec(nixMessage)!;
      await rejects(ours(env, d), `syntax error in configuration line '${m[1]}' in "${m[2]}"`);
    }
    tree(d, { 'etc/nix.conf': 'include sub/../gone.conf\n' });
    const nixMessage = /^error: (.*)$/m.exec(runNix(env).stderr)![1]!;
    const m = /^file '(.*)' included from '(.*)' not found$/.exec(nixMessage)!;
    await rejects(ours(env, d), `file "${m[1]}" included from "${m[2]}" not found`);
  }),
);

nixTest('unknown settings and experimental features warn as in Nix', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf':
        'zeta = 1\nalpha = 2\nextra-cores = 3\nzeta = 5\nexperimental-features = flakes bogus\n',
    });
    const env = { HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc` };
    const { config, nixWarnings } = await same(env, d);
    assert.equal(nixWarnings, [
      "unknown experimental feature 'bogus'",
      "unknown setting 'alpha'",
      "unknown setting 'extra-cores'",
      "unknown setting 'zeta'",
    ]);
    assert.equal(config.warnings, [
      `unknown experimental feature 'bogus' (from ${d}/etc/nix.conf:5)`,
      `unknown setting 'alpha' (from ${d}/etc/nix.conf:2)`,
      `unknown setting 'extra-cores' (from ${d}/etc/nix.conf:3)`,
      `unknown setting 'zeta' (from ${d}/etc/nix.conf:1)`,
    ]);
  }),
);

test.run();
