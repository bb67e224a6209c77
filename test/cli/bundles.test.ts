// The built `strata` as users run it: CommonJS bundles compiled through their V8 code caches
// (packages/cli/bin/code-cache.cjs). A third-party plugin importing `@strata/core` (and a
// subpath of it) gets the CLI's own instance; `import()` from a bundle (a YAML config file needs
// the `yaml` package) works from any directory; nothing but the command's output reaches stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from './helpers.js';

const test = suite('strata as built: bundles, code caches, plugins');
const dir = tempDir('strata-cli-bundles-');
test.after(() => dir.cleanup());

const CORE = new URL('../../packages/core', import.meta.url).pathname;
const BUNDLES = ['packages/core', 'packages/config', 'plugins/local', 'packages/cli'].map(
  (p) => new URL(`../../${p}/bundle/index.cjs`, import.meta.url).pathname,
);

const PLUGIN = `
import { CORE_VERSION, defineStorePlugin, STORE_SETTINGS, strataError } from '@strata/core';
import { StrataError as FromSubpath } from '@strata/core/errors';
import * as core from '@strata/core';

export default defineStorePlugin({
  name: 'identity-probe',
  version: '1.0.0',
  core: \`^\${CORE_VERSION}\`,
  stores: [{
    name: 'Identity Probe',
    schemes: ['probe'],
    authority: 'none',
    settings: STORE_SETTINGS,
    capabilities: [],
    doc: 'Fails on open with a StrataError of its own @strata/core.',
    urlFormats: ['probe://'],
    open: () => {
      throw strataError(
        'STRATA_ERR_CLI_USAGE',
        { message: \`probe opened; one StrataError for core and its subpath: \${FromSubpath === core.StrataError}\` },
        { hint: 'printed only when the CLI recognises the error as its own StrataError' },
      );
    },
  }],
});
`;

const CODE_CACHE = new URL('../../packages/cli/bin/code-cache.cjs', import.meta.url).pathname;

test('the bundles have code caches recorded beside them, and V8 takes them', () => {
  for (const bundle of BUNDLES) assert.ok(existsSync(`${bundle}.v8cache`), bundle);
  const probe = `
    const cache = require(${JSON.stringify(CODE_CACHE)});
    cache.installCodeCache();
    for (const b of ${JSON.stringify(BUNDLES)}) require(b);
    process.stdout.write(JSON.stringify(cache.codeCacheStats()));`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  assert.is(r.stderr, '');
  const stats = JSON.parse(r.stdout) as { cached: number; rejected: number; uncached: number };
  assert.equal(
    { rejected: stats.rejected, uncached: stats.uncached },
    { rejected: 0, uncached: 0 },
  );
  // Those four and what they require (@strata/native, under plugin-local).
  assert.ok(stats.cached >= BUNDLES.length, JSON.stringify(stats));
});

test('a plugin importing @strata/core shares the CLI instance: its StrataError keeps its hint', () => {
  const project = join(dir.path, 'project');
  mkdirSync(join(project, 'node_modules', '@strata'), { recursive: true });
  symlinkSync(CORE, join(project, 'node_modules', '@strata', 'core'));
  writeFileSync(join(project, 'probe-plugin.mjs'), PLUGIN);
  writeFileSync(join(project, 'strata.config.json'), '{ "plugins": ["./probe-plugin.mjs"] }\n');
  const r = strata(['--store', 'probe://', 'info'], { cwd: project });
  assert.is(r.status, 1, r.stderr);
  assert.is(
    r.stderr,
    'error: probe opened; one StrataError for core and its subpath: true\n' +
      'hint: printed only when the CLI recognises the error as its own StrataError\n',
  );
});

test('a YAML config file is read (yaml imported from a bundle), with no warning on stderr', () => {
  const project = join(dir.path, 'yaml-project');
  mkdirSync(project);
  writeFileSync(join(project, 'strata.config.yaml'), 'cores: 3\n');
  const r = strata(['config', 'show', 'cores'], { cwd: project });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout.toString().trim(), '3');
});

test.run();
