import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeOrigin, type StrataError } from '@strata/core';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type LoadConfigurationOptions, loadConfiguration } from './load-configuration.js';

const test = suite('loadConfiguration');

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** Every path under `root` with its type, size and mtime: to prove loading wrote nothing. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      out.push(`${p} ${st.mode} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/** A sandboxed environment under `d`: no real nix.conf, Strata file search confined to `d`. */
function opts(d: string, more: Partial<LoadConfigurationOptions> = {}): LoadConfigurationOptions {
  return {
    env: { HOME: `${d}/home`, NIX_CONF_DIR: `${d}/etc`, XDG_CONFIG_DIRS: `${d}/xdg`, PATH: '' },
    cwd: `${d}/project`,
    strataFile: { systemDir: `${d}/etc-strata`, stopDir: d },
    ...more,
  };
}

// Each layer sets `cores` and one setting of its own, so each layer's win is visible.
const LAYERS = {
  system: 'cores = 1\nmax-silent-time = 1\n',
  user: 'cores = 2\ntimeout = 2\n',
  nixConfig: 'cores = 3\nrepeat = 3\n',
  strata: 'cores: 4\nlog-lines: 4\n',
};

test('precedence, layer by layer: default < system < user < NIX_CONFIG < Strata file < flags', () =>
  withTempDir(async (d) => {
    mkdirSync(`${d}/project`, { recursive: true });
    const base = opts(d);
    const env = base.env!;
    const at = async (o: LoadConfigurationOptions) => {
      const c = await loadConfiguration(o);
      return { value: c.get('cores'), origin: describeOrigin(c.setting('cores')!.origin), c };
    };

    let r = await at(base);
    assert.equal([r.value, r.origin], [r.c.defaultValue('cores'), 'default']);

    tree(d, { 'etc/nix.conf': LAYERS.system });
    r = await at(base);
    assert.equal([r.value, r.origin], [1, `${d}/etc/nix.conf:1`]);

    tree(d, { 'home/.config/nix/nix.conf': LAYERS.user });
    r = await at(base);
    assert.equal([r.value, r.origin], [2, `${d}/home/.config/nix/nix.conf:1`]);
    assert.is(r.c.get('max-silent-time'), 1);

    const withVar = { ...base, env: { ...env, NIX_CONFIG: LAYERS.nixConfig } };
    r = await at(withVar);
    assert.equal([r.value, r.origin], [3, '$NIX_CONFIG:1']);
    assert.is(r.c.get('timeout'), 2);

    tree(d, { 'project/.stratarc.yaml': LAYERS.strata });
    r = await at(withVar);
    assert.equal([r.value, r.origin], [4, `${d}/project/.stratarc.yaml (cores)`]);
    assert.is(r.c.get('repeat'), 3n);

    r = await at({ ...withVar, flags: { options: [['cores', '5']] } });
    assert.equal([r.value, r.origin], [5, '--option cores']);
    // Every lower layer's own setting survived.
    assert.equal(
      ['max-silent-time', 'timeout', 'repeat', 'log-lines'].map((n) => r.c.render(n)),
      ['1', '2', '3', '4'],
    );
    assert.equal(r.c.sources, {
      systemFile: `${d}/etc/nix.conf`,
      userFiles: [`${d}/home/.config/nix/nix.conf`, `${d}/xdg/nix/nix.conf`],
      nixConfig: true,
      strataFile: `${d}/project/.stratarc.yaml`,
    });
  }));

test('overridden: false for defaults and the system file, true for user sources', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'cores = 1\ntimeout = 1\nextra-trusted-users = alice\n',
      'home/.config/nix/nix.conf': 'timeout = 2\n',
      'project/strata.config.json': '{ "log-lines": 7 }',
    });
    const c = await loadConfiguration({
      ...opts(d),
      flags: { options: [['extra-substituters', 'https://x.example.org']] },
    });
    const flag = (n: string) => c.setting(n)!.overridden;
    assert.equal(
      ['cores', 'trusted-users', 'timeout', 'log-lines', 'substituters', 'repeat'].map(flag),
      [false, false, true, true, true, false],
    );
    assert.equal(c.overriddenSettings(), [
      ['log-lines', '7'],
      ['substituters', 'https://cache.nixos.org/ https://x.example.org'],
      ['timeout', '2'],
    ]);
  }));

test('--store beats --option store; both beat the files', () =>
  withTempDir(async (d) => {
    tree(d, { 'etc/nix.conf': 'store = daemon\n', 'project/x': '' });
    let c = await loadConfiguration(opts(d));
    assert.is(c.get('store'), 'daemon');
    c = await loadConfiguration({ ...opts(d), flags: { options: [['store', 'local']] } });
    assert.is(c.get('store'), 'local');
    c = await loadConfiguration({
      ...opts(d),
      flags: { store: 'dummy://', options: [['store', 'local']] },
    });
    assert.is(c.get('store'), 'dummy://');
    assert.equal(c.setting('store')!.origin, { kind: 'flag', flag: '--store' });
  }));

test('bad values: fatal in files with file:line, warnings with --option', () =>
  withTempDir(async (d) => {
    tree(d, { 'etc/nix.conf': '\nkeep-outputs = True\n', 'project/x': '' });
    try {
      await loadConfiguration(opts(d));
      assert.unreachable();
    } catch (e) {
      assert.is(
        (e as Error).message,
        `Boolean setting 'keep-outputs' has invalid value 'True' (from ${d}/etc/nix.conf:2)`,
      );
    }
    tree(d, { 'etc/nix.conf': 'cores = 3\n' });
    const c = await loadConfiguration({
      ...opts(d),
      flags: {
        options: [
          ['cores', 'abc'],
          ['max-jobs', 'x'],
          ['nope', '1'],
        ],
      },
    });
    assert.is(c.get('cores'), 3);
    assert.equal(c.warnings, [
      "setting 'cores' has invalid value 'abc' (from --option cores)",
      "configuration setting 'max-jobs' should be 'auto' or an integer (from --option max-jobs)",
      "unknown setting 'nope' (from --option nope)",
    ]);
  }));

test('NIX_CONFIG errors name NIX_CONFIG', () =>
  withTempDir(async (d) => {
    mkdirSync(`${d}/project`);
    const o = opts(d);
    const run = (text: string) =>
      loadConfiguration({ ...o, env: { ...o.env, NIX_CONFIG: text } }).then(
        () => 'ok',
        (e: Error) => e.message,
      );
    assert.is(
      await run('cores = 9; max-jobs = 9'),
      "setting 'cores' has invalid value '9; max-jobs = 9' (from $NIX_CONFIG:1)",
    );
    assert.is(await run('\ncores'), `syntax error in configuration line 'cores' in "NIX_CONFIG"`);
  }));

test('experimental-features lines of a source apply first (as in Nix master)', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'extra-experimental-features = flakes\nexperimental-features = nix-command\n',
      'home/.config/nix/nix.conf': 'cores = 2\nextra-experimental-features = ca-derivations\n',
      'project/x': '',
    });
    const c = await loadConfiguration(opts(d));
    assert.equal([...c.experimentalFeatures], ['ca-derivations', 'nix-command']);
  }));

test('the Strata file: native values, aliases, extra-, unknown keys are errors', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'substituters = https://a.example.org\n',
      'project/strata.config.yaml': [
        '$schema: ../schema.json',
        'keep-outputs: true',
        'build-cores: 6',
        'max-free: 18446744073709551615',
        'extra-substituters: [https://b.example.org, https://c.example.org]',
        'access-tokens: { github.com: abc, example.org: def }',
        'sandbox: relaxed',
        'experimental-features: nix-command flakes',
        'build-hook: null',
      ].join('\n'),
    });
    const c = await loadConfiguration(opts(d));
    assert.is(c.get('keep-outputs'), true);
    assert.is(c.get('cores'), 6);
    assert.is(c.render('max-free'), '18446744073709551615');
    assert.equal(c.get('substituters'), [
      'https://a.example.org',
      'https://b.example.org',
      'https://c.example.org',
    ]);
    assert.is(c.render('access-tokens'), 'example.org=def github.com=abc');
    assert.is(c.render('sandbox'), 'relaxed');
    assert.is(c.render('experimental-features'), 'flakes nix-command');
    assert.is(c.render('build-hook'), '');
    assert.equal(c.setting('cores')!.origin, {
      kind: 'config-file',
      file: `${d}/project/strata.config.yaml`,
      path: 'build-cores',
    });

    tree(d, { 'project/strata.config.yaml': 'corse: 4\n' });
    await loadConfiguration(opts(d)).then(
      () => assert.unreachable(),
      (e: StrataError) => {
        assert.is(
          e.message,
          `invalid Strata configuration file '${d}/project/strata.config.yaml': unknown setting 'corse'`,
        );
        assert.is(e.hint, "did you mean 'cores'?");
      },
    );
    tree(d, { 'project/strata.config.yaml': 'keep-outputs: maybe\n' });
    await loadConfiguration(opts(d)).then(
      () => assert.unreachable(),
      (e: Error) =>
        assert.is(
          e.message,
          `Boolean setting 'keep-outputs' has invalid value 'maybe' (from ${d}/project/strata.config.yaml (keep-outputs))`,
        ),
    );
    tree(d, { 'project/strata.config.yaml': 'trusted-users: [a b]\n' });
    await loadConfiguration(opts(d)).then(
      () => assert.unreachable(),
      (e: Error) =>
        assert.is(
          e.message,
          `invalid Strata configuration file '${d}/project/strata.config.yaml': trusted-users[0] must be a non-empty token without whitespace, not "a b"`,
        ),
    );
  }));

test('named stores, plugins and overlays come through with origins', () =>
  withTempDir(async (d) => {
    tree(d, {
      'project/strata.config.json': JSON.stringify({
        store: '@ci',
        stores: {
          base: '/srv/base',
          ci: {
            scheme: 'local-overlay',
            root: '/srv/ci',
            'upper-layer': '/srv/ci/upper',
            'lower-store': '@base',
          },
        },
        plugins: ['./plugins/p.js', 'some-package'],
        overlays: [{ mountPoint: '/srv/ci/nix/store', lowerdir: ['/srv/base/nix/store'] }],
      }),
    });
    const c = await loadConfiguration(opts(d));
    assert.is(c.get('store'), '@ci');
    assert.is(
      c.resolveNamedStore('@ci'),
      'local-overlay://?lower-store=local:///srv/base&root=/srv/ci&upper-layer=/srv/ci/upper',
    );
    assert.equal(
      c.plugins.map((p) => [p.specifier, p.resolved, describeOrigin(p.origin)]),
      [
        [
          './plugins/p.js',
          `${d}/project/plugins/p.js`,
          `${d}/project/strata.config.json (plugins[0])`,
        ],
        ['some-package', 'some-package', `${d}/project/strata.config.json (plugins[1])`],
      ],
    );
    assert.is(c.overlays[0]!.mountPoint, '/srv/ci/nix/store');
    assert.is(
      describeOrigin(c.overlays[0]!.origin),
      `${d}/project/strata.config.json (overlays[0])`,
    );
  }));

test('a store named but not defined, or a cycle of names, fails at load time', () =>
  withTempDir(async (d) => {
    tree(d, { 'project/.stratarc.json': JSON.stringify({ stores: { a: 'local' } }) });
    await loadConfiguration({ ...opts(d), flags: { store: '@b' } }).then(
      () => assert.unreachable(),
      (e: Error) => assert.is(e.message, "no store named '@b' is configured (configured: @a)"),
    );
    tree(d, {
      'project/.stratarc.json': JSON.stringify({
        stores: { a: { url: 'local-overlay://', 'lower-store': '@b' }, b: '@a' },
      }),
    });
    await loadConfiguration(opts(d)).then(
      () => assert.unreachable(),
      (e: Error) => assert.is(e.message, 'store reference cycle: @a -> @b -> @a'),
    );
  }));

test('plugin-files and plugins reach the hook before any value is validated', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'plugin-files = /opt/p1.js\nextra-plugin-files = rel/p2.js\n',
      'project/.stratarc.yaml': 'plugins: [./p0.mjs]\nplugin-setting: on\n',
    });
    let seen: string[] = [];
    const c = await loadConfiguration({
      ...opts(d),
      beforeValidation: (plugins) => {
        seen = plugins.map((p) => `${p.source}:${p.resolved}`);
        return [
          { name: 'plugin-setting', type: { kind: 'string' }, default: 'off', description: 'x' },
        ];
      },
    });
    assert.equal(seen, [
      `config-file:${d}/project/p0.mjs`,
      'plugin-files:/opt/p1.js',
      `plugin-files:${d}/etc/rel/p2.js`,
    ]);
    assert.is(c.get('plugin-setting'), 'on');
  }));

test('loading writes nothing', () =>
  withTempDir(async (d) => {
    tree(d, {
      'etc/nix.conf': 'include sub/a.conf\n!include nothere.conf\n',
      'etc/sub/a.conf': 'cores = 2\n',
      'home/.config/nix/nix.conf': 'timeout = 3\n',
      'project/strata.config.ts':
        "const config = { 'log-lines': 9, stores: { x: 'local' } };\nexport default config;\n",
      'project/strata.config.mjs': 'export default () => ({ repeat: 2 });\n',
    });
    const before = snapshot(d);
    const c = await loadConfiguration(opts(d));
    assert.is(c.get('repeat'), 2n);
    await loadConfiguration({ ...opts(d), flags: { options: [['cores', '1']] } });
    assert.equal(snapshot(d), before);
  }));

test.run();
