import { mkdirSync, writeFileSync } from 'node:fs';
import { loadConfiguration, showConfigText } from '@strata/config';
import { captureStream, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../index.js';

const test = suite('strata config show');

async function run(d: string, argv: string[], extraEnv: Record<string, string> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const env = {
    HOME: `${d}/home`,
    NIX_CONF_DIR: `${d}/etc`,
    XDG_CONFIG_DIRS: `${d}/xdg`,
    PATH: '',
    ...extraEnv,
  };
  const code = await main(argv, { stdout, stderr, cwd: d, env });
  return { code, out: stdout.text(), err: stderr.text(), env };
}

function setup(d: string): void {
  mkdirSync(`${d}/etc`, { recursive: true });
  mkdirSync(`${d}/home`, { recursive: true });
  writeFileSync(`${d}/etc/nix.conf`, '# system\ncores = 3\nfoo = bar\n');
}

test('lists every setting as name = value, with origins as nix.conf comments', () =>
  withTempDir(async (d) => {
    setup(d);
    const r = await run(d, ['config', 'show', '--option', 'timeout', '9']);
    assert.is(r.code, 0);
    const lines = r.out.split('\n');
    assert.ok(lines.includes(`cores = 3  # from ${d}/etc/nix.conf:2`), r.out);
    assert.ok(lines.includes('timeout = 9  # from --option timeout'));
    assert.ok(lines.includes('keep-outputs = false'));
    assert.ok(r.out.endsWith('warn-dirty = true\n\n'));
    assert.is(r.err, `warning: unknown setting 'foo' (from ${d}/etc/nix.conf:3)\n`);
  }));

test('--no-origins prints exactly the nix show-config listing', () =>
  withTempDir(async (d) => {
    setup(d);
    const r = await run(d, ['config', 'show', '--no-origins']);
    const config = await loadConfiguration({ env: r.env, cwd: d });
    assert.is(r.out, showConfigText(config, { origins: false }));
    assert.not.match(r.out, '# from');
  }));

test('one setting: its value, by name or alias; --json gives its entry', () =>
  withTempDir(async (d) => {
    setup(d);
    assert.is((await run(d, ['config', 'show', 'cores'])).out, '3\n');
    assert.is((await run(d, ['config', 'show', 'build-cores'])).out, '3\n');
    const j = JSON.parse((await run(d, ['--json', 'config', 'show', 'cores'])).out);
    assert.equal(j, {
      value: 3,
      origin: { kind: 'nix.conf', file: `${d}/etc/nix.conf`, line: 2 },
      overridden: false,
      defaultValue: j.defaultValue,
      documentDefault: false,
      description: j.description,
      aliases: ['build-cores'],
    });
    assert.match(j.description, 'NIX_BUILD_CORES');
  }));

test('--json lists every setting keyed by name, 64-bit values as numbers', () =>
  withTempDir(async (d) => {
    setup(d);
    const r = await run(d, ['config', 'show', '--json'], {
      NIX_CONFIG: 'extra-substituters = https://x.example.org\nmin-free = 1',
    });
    assert.match(r.out, '"max-free":{"value":18446744073709551615,');
    const j = JSON.parse(r.out);
    assert.is(Object.keys(j).length, 91);
    assert.equal(j.substituters.value, ['https://cache.nixos.org/', 'https://x.example.org']);
    assert.equal(j.substituters.origin, { kind: 'env', variable: 'NIX_CONFIG', line: 1 });
    assert.is(j.substituters.overridden, true);
    assert.equal(j['experimental-features'].value, []);
  }));

test('errors: an unknown name, a bad value in a file', () =>
  withTempDir(async (d) => {
    setup(d);
    let r = await run(d, ['config', 'show', 'nope']);
    assert.is(r.code, 1);
    assert.is(
      r.err,
      "warning: unknown setting 'foo' (from " +
        `${d}/etc/nix.conf:3)\nerror: unknown setting 'nope'\n`,
    );
    writeFileSync(`${d}/etc/nix.conf`, 'sandbox = yes\n');
    r = await run(d, ['config', 'show']);
    assert.is(r.code, 1);
    assert.is(
      r.err,
      `error: option 'sandbox' has invalid value 'yes' (from ${d}/etc/nix.conf:1)\nTry 'strata --help' for more information.\n`,
    );
  }));

test.run();
