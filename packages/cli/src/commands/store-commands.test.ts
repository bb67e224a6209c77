// `strata url parse|render`, `strata describe`, `strata plugins`, run in-process with a
// scratch configuration (a Strata config file that loads the test-only plugins by path).

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { captureStream, NIX, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../index.js';

const test = suite('strata url / describe / plugins');
const nixTest = requires(test, NIX);
const TEST_PLUGINS = fileURLToPath(new URL('../../../../test/plugins/', import.meta.url));

async function run(d: string, argv: string[], input = '') {
  const stdout = captureStream();
  const stderr = captureStream();
  const env = {
    HOME: `${d}/home`,
    NIX_CONF_DIR: `${d}/etc`,
    XDG_CONFIG_DIRS: `${d}/xdg`,
    PATH: '',
  };
  const code = await main(argv, { stdout, stderr, cwd: d, env, stdin: Readable.from([input]) });
  return { code, out: stdout.text(), err: stderr.text() };
}

function setup(d: string, config = ''): void {
  mkdirSync(`${d}/etc`, { recursive: true });
  mkdirSync(`${d}/home`, { recursive: true });
  writeFileSync(`${d}/etc/nix.conf`, '');
  if (config) writeFileSync(`${d}/strata.config.yaml`, config);
}

const WITH_PLUGINS = `plugins:\n  - ${TEST_PLUGINS}memory/index.ts\n  - ${TEST_PLUGINS}layer/index.ts\n`;

// Written fully escaped, as by hand; the canonical form keeps `: / ?` (spec §1.4).
const NESTED =
  'layer://?label=job&lower-store=layer%3A%2F%2F%3Flabel%3Dteam%26lower-store%3Dmemory%253A%252F%252F%253Flabel%253Dbase%2526store%253D%25252Fs%252520t';
const CANONICAL =
  'layer://?label=job&lower-store=layer://?label%3Dteam%26lower-store%3Dmemory://?label%253Dbase%2526store%253D/s%252520t';

test('url parse shows the nested tree, three levels deep', () =>
  withTempDir(async (d) => {
    setup(d, WITH_PLUGINS);
    const r = await run(d, ['url', 'parse', NESTED]);
    assert.is(r.err, '');
    assert.is(r.code, 0);
    assert.is(
      r.out,
      `${CANONICAL}
layer://  (Layer Store)
├── label = job
└── lower-store = layer://  (Layer Store)
    ├── label = team
    └── lower-store = memory://  (Memory Store)
        ├── label = base
        └── store = /s t
`,
    );
  }));

test('url parse --json round-trips through url render', () =>
  withTempDir(async (d) => {
    setup(d, WITH_PLUGINS);
    const parsed = await run(d, ['url', 'parse', '--json', NESTED]);
    const tree = JSON.parse(parsed.out);
    assert.is(tree.params['lower-store'].params['lower-store'].params.store, '/s t');
    assert.is(tree.params['lower-store'].store, 'Layer Store');
    const rendered = await run(d, ['url', 'render'], parsed.out);
    assert.is(rendered.code, 0, rendered.err);
    assert.is(rendered.out, `${CANONICAL}\n`);
    const again = await run(d, ['url', 'parse', '--json', CANONICAL]);
    assert.equal(JSON.parse(again.out), tree);
  }));

test('url parse expands a named store from the config file', () =>
  withTempDir(async (d) => {
    setup(
      d,
      `${WITH_PLUGINS}stores:\n  base: memory://?label=base\n  top:\n    scheme: layer\n    lower-store: '@base'\n`,
    );
    const r = await run(d, ['url', 'parse', '@top']);
    assert.is(r.code, 0, r.err);
    assert.is(
      r.out,
      'layer://?lower-store=memory://?label%3Dbase\nlayer://  (Layer Store)\n└── lower-store = memory://  (Memory Store)\n    └── label = base\n',
    );
  }));

test('url render builds the URL from YAML, escaping each level once', () =>
  withTempDir(async (d) => {
    setup(d);
    const yaml = `scheme: local-overlay
params:
  root: /srv/job-7
  upper-layer: /srv/job-7/upper
  check-mount: false
  lower-store:
    scheme: local-overlay
    params:
      root: /srv/team
      upper-layer: /srv/team/upper
      lower-store: { scheme: local, path: /srv/base line }
`;
    writeFileSync(`${d}/tree.yaml`, yaml);
    const r = await run(d, ['url', 'render', 'tree.yaml']);
    assert.is(r.code, 0, r.err);
    const expected =
      'local-overlay://?check-mount=false&lower-store=local-overlay://?lower-store%3Dlocal:///srv/base%252520line%26root%3D/srv/team%26upper-layer%3D/srv/team/upper&root=/srv/job-7&upper-layer=/srv/job-7/upper';
    assert.is(r.out, `${expected}\n`);
    // And back: without the overlay plugin, values with :// are still expanded.
    const back = await run(d, ['url', 'parse', '--json', expected]);
    const t = JSON.parse(back.out);
    assert.is(t.params['lower-store'].params['lower-store'].reference, 'local:///srv/base%20line');
    assert.is(t.params['lower-store'].params.root, '/srv/team');
  }));

test('url parse and render reject malformed input with the reason', () =>
  withTempDir(async (d) => {
    setup(d, WITH_PLUGINS);
    const bad = await run(d, ['url', 'parse', 'layer://?lower-store=memory%3A%2F%2F%3Fx%3D%25zz']);
    assert.is(bad.code, 1);
    assert.is(
      bad.err,
      "error: invalid URI query 'x=%zz': bad percent escape '%zz' in the query (store URL 'memory://?x=%zz')\nTry 'strata --help' for more information.\n",
    );
    const nested = await run(d, ['url', 'parse', 'layer://?lower-store=memory']);
    assert.is(
      nested.err,
      "error: Cannot parse Nix store 'memory': it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /)\nTry 'strata --help' for more information.\n",
    );
    const tree = await run(
      d,
      ['url', 'render'],
      '{"scheme": "x", "params": {"a": {"variant": "nope"}}}',
    );
    assert.is(
      tree.err,
      'error: invalid store reference tree at $.params.a: variant must be auto, local or daemon (or give a scheme), not "nope"\n',
    );
    const yaml = await run(d, ['url', 'render'], 'scheme: [unclosed');
    assert.is(yaml.code, 1);
    assert.match(yaml.err, /^error: cannot read a store reference tree from standard input: /);
  }));

test('describe documents each store type from its schema', () =>
  withTempDir(async (d) => {
    setup(d, WITH_PLUGINS);
    const r = await run(d, ['describe', 'dummy']);
    assert.is(r.code, 0, r.err);
    assert.ok(
      r.out.startsWith(`## Dummy Store

schemes: dummy
url format: \`dummy://\`

A store that contains nothing and accepts nothing: every path is invalid and every write is refused. Useful for evaluation and for parsing without touching any real store.

### path-info-cache-size

How many path infos to keep in memory; 0 turns the cache off.

default: 0
type: int

### priority
`),
      r.out,
    );
    assert.ok(r.out.includes('### system-features\n\n'));
    assert.ok(r.out.includes('default: machine-specific\ntype: string set\n\n'));
    const all = await run(d, ['describe']);
    const heads = all.out.split('\n').filter((l) => l.startsWith('## '));
    assert.equal(heads, [
      '## Dummy Store',
      '## Experimental Local Overlay Store',
      '## Layer Store',
      '## Local Store',
      '## Memory Store',
    ]);
    assert.ok(
      all.out.includes(
        '### lower-store\n\nThe store reads fall through to; it is never written. Empty means `auto`.\n\ndefault: ""\ntype: store reference\n\naliases: ["lower"]\n\n',
      ),
    );
    const json = JSON.parse((await run(d, ['describe', '--json'])).out);
    assert.equal(json['Dummy Store']['uri-schemes'], ['dummy']);
    assert.equal(json['Dummy Store'].settings.store, {
      aliases: [],
      defaultValue: '/nix/store',
      description: json['Dummy Store'].settings.store.description,
      documentDefault: true,
      experimentalFeature: null,
      type: 'path',
      value: '/nix/store',
    });
    assert.is(json['Memory Store'].plugin, 'strata-test-plugin-memory');
    const unknown = await run(d, ['describe', 'nope']);
    assert.is(
      unknown.err,
      "error: don't know how to open Nix store with scheme 'nope'\nhint: the registered schemes are: dummy, layer, local, local-overlay, memory\n",
    );
  }));

test('plugins lists what is loaded, from where, with schemes', () =>
  withTempDir(async (d) => {
    setup(d, WITH_PLUGINS);
    const r = await run(d, ['plugins']);
    assert.is(r.code, 0, r.err);
    assert.is(
      r.out,
      `@strata/plugin-dummy 0.1.0
  from: built-in
  Dummy Store: dummy://
@strata/plugin-local 0.1.0
  from: built-in
  Local Store: local://
@strata/plugin-local-overlay 0.1.0
  from: built-in
  Experimental Local Overlay Store: local-overlay:// [experimental: local-overlay-store]
strata-test-plugin-memory 1.0.0
  from: ${TEST_PLUGINS}memory/index.ts (listed in ${d}/strata.config.yaml (plugins[0]))
  Memory Store: memory://
strata-test-plugin-layer 1.0.0
  from: ${TEST_PLUGINS}layer/index.ts (listed in ${d}/strata.config.yaml (plugins[1]))
  Layer Store: layer://
`,
    );
    const json = JSON.parse((await run(d, ['plugins', '--json'])).out);
    assert.is(json[3].stores[0].capabilities.includes('write'), true);
  }));

test('a plugin that fails to load is an error naming the file; nothing runs', () =>
  withTempDir(async (d) => {
    setup(d, `plugins:\n  - ./missing-plugin.js\n`);
    const r = await run(d, ['plugins']);
    assert.is(r.code, 1);
    assert.is(
      r.err,
      `error: cannot load plugin '${d}/missing-plugin.js' (from ${d}/strata.config.yaml (plugins[0])): no such module or file '${d}/missing-plugin.js'\n`,
    );
    assert.is(r.out, '');
  }));

nixTest('describe lists the settings Nix 2.8 documents for the dummy store', () =>
  withTempDir(async (d) => {
    setup(d);
    const nix = spawnSync('nix', ['describe-stores', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
    });
    const theirs = Object.keys(JSON.parse(nix.stdout)['Dummy Store']).sort();
    const ours = JSON.parse((await run(d, ['describe', '--json', 'dummy'])).out);
    assert.equal(Object.keys(ours['Dummy Store'].settings).sort(), theirs);
  }),
);

test.run();
