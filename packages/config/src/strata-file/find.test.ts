import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StrataError } from '@strata/core';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findStrataConfig, strataSearchDirs } from './find.js';
import { importTranspiledTypeScript } from './loaders.js';

const test = suite('Strata config file search');

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

const find = (d: string, cwd = `${d}/home/proj/sub`) =>
  findStrataConfig({
    cwd,
    env: { HOME: `${d}/home`, XDG_CONFIG_HOME: `${d}/xdg` },
    systemDir: `${d}/etc-strata`,
  });

test('search directories: cwd up to home, then XDG, then the system directory', () => {
  assert.equal(strataSearchDirs({ cwd: '/h/a/b', env: { HOME: '/h' } }), {
    project: ['/h/a/b', '/h/a', '/h'],
    global: ['/h/.config/strata', '/etc/strata'],
  });
  assert.equal(
    strataSearchDirs({ cwd: '/srv/x', env: { HOME: '/h', XDG_CONFIG_HOME: '/x' } }).project,
    ['/srv/x', '/srv', '/'],
  );
});

test('the nearest directory wins; within it, strata.config.* before .stratarc* before package.json', () =>
  withTempDir(async (d) => {
    mkdirSync(`${d}/home/proj/sub`, { recursive: true });
    assert.is(await find(d), undefined);
    tree(d, { 'etc-strata/config.yaml': 'cores: 1\n' });
    assert.equal(await find(d), { file: `${d}/etc-strata/config.yaml`, contents: { cores: 1n } });
    tree(d, { 'xdg/strata/config.json': '{"cores": 2}' });
    assert.is((await find(d))!.file, `${d}/xdg/strata/config.json`);
    tree(d, { 'home/package.json': '{"name": "x"}' });
    assert.is((await find(d))!.file, `${d}/xdg/strata/config.json`);
    tree(d, { 'home/package.json': '{"name": "x", "strata": {"cores": 3}}' });
    assert.equal(await find(d), { file: `${d}/home/package.json`, contents: { cores: 3 } });
    tree(d, { 'home/proj/.stratarc': 'cores: 4\n' });
    assert.is((await find(d))!.file, `${d}/home/proj/.stratarc`);
    tree(d, { 'home/proj/strata.config.yaml': 'cores: 5\n' });
    assert.is((await find(d))!.file, `${d}/home/proj/strata.config.yaml`);
    tree(d, { 'home/proj/sub/.config/stratarc.json': '{"cores": 6}' });
    assert.is((await find(d))!.file, `${d}/home/proj/sub/.config/stratarc.json`);
  }));

test('empty files are skipped; the search stops at the home directory', () =>
  withTempDir(async (d) => {
    tree(d, { 'home/proj/sub/strata.config.yaml': '', '.stratarc.yaml': 'cores: 9\n' });
    assert.is(await find(d), undefined);
  }));

test('JavaScript and TypeScript configs: objects or functions as default export', () =>
  withTempDir(async (d) => {
    tree(d, {
      'a/strata.config.mjs': "export default async () => ({ cores: 7, stores: { x: 'local' } });\n",
      'b/strata.config.ts':
        'interface C { cores: number }\nconst c: C = { cores: 8 };\nexport default c;\n',
      'c/.stratarc.cjs': 'module.exports = { cores: 9 };\n',
    });
    assert.equal((await find(d, `${d}/a`))!.contents, { cores: 7, stores: { x: 'local' } });
    assert.equal((await find(d, `${d}/b`))!.contents, { cores: 8 });
    assert.equal((await find(d, `${d}/c`))!.contents, { cores: 9 });
  }));

test('TypeScript without a loader is transpiled in memory: nothing is written', () =>
  withTempDir(async (d) => {
    const file = `${d}/strata.config.ts`;
    const text =
      "import type { X } from './types.js';\nexport default { cores: 3 as number } satisfies X;\n";
    tree(d, { 'strata.config.ts': text });
    assert.equal(await importTranspiledTypeScript(file, text), { cores: 3 });
    assert.equal(readdirSync(d), ['strata.config.ts']);
  }));

test('syntax errors name the file and the line, on one line (the excerpt is the hint)', () =>
  withTempDir(async (d) => {
    tree(d, {
      'y/.stratarc.yaml': 'cores: 1\ncores: 2\n',
      'j/strata.config.json': '{\n "cores": 3, }',
      'k/strata.config.json': '{\n "cores": }',
    });
    await find(d, `${d}/y`).then(
      () => assert.unreachable(),
      (e: StrataError) => {
        assert.is(
          e.message,
          `invalid Strata configuration file '${d}/y/.stratarc.yaml': Map keys must be unique at line 2, column 1`,
        );
        assert.is(e.hint, 'cores: 1\ncores: 2\n^');
      },
    );
    await find(d, `${d}/j`).then(
      () => assert.unreachable(),
      (e: Error) => {
        assert.match(e.message, `invalid Strata configuration file '${d}/j/strata.config.json': `);
        assert.match(e.message, / \(line 2, column 14\)$/, e.message);
      },
    );
    await find(d, `${d}/k`).then(
      () => assert.unreachable(),
      (e: Error) => {
        assert.match(e.message, "Unexpected token '}'");
        assert.not.match(e.message, '\n');
      },
    );
  }));

test.run();
