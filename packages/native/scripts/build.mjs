#!/usr/bin/env node
// Compiles the add-on (build/Release/strata_native.node) with node-gyp; run by `pnpm install`
// (this package's `install` script) and by `pnpm --filter @strata/native run build`.
//
// Offline by design: node-gyp is the copy bundled with the package manager (pnpm and npm put
// it on the PATH of install scripts and name it in $npm_config_node_gyp), and Node's headers
// come from $npm_config_nodedir or else from the prefix of the running node
// (`<prefix>/include/node`), so node-gyp never tries to download headers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const packageDir = join(dirname(new URL(import.meta.url).pathname), '..');
const prefix = dirname(dirname(process.execPath));

function nodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return [process.execPath, fromEnv];
  const bundled = [
    join(prefix, 'lib/node_modules/pnpm/dist/node_modules/node-gyp/bin/node-gyp.js'),
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ].find((p) => existsSync(p));
  if (bundled) return [process.execPath, bundled];
  return ['node-gyp'];
}

function nodeDir() {
  const fromEnv = process.env.npm_config_nodedir;
  if (fromEnv && existsSync(join(fromEnv, 'include/node/node_api.h'))) return fromEnv;
  if (existsSync(join(prefix, 'include/node/node_api.h'))) return prefix;
  return undefined;
}

const dir = nodeDir();
const [cmd, ...pre] = nodeGyp();
const args = [...pre, 'rebuild', '--loglevel=warn', ...(dir ? [`--nodedir=${dir}`] : [])];
const started = Date.now();
const r = spawnSync(cmd, args, { cwd: packageDir, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(
    `@strata/native: building the add-on failed (${[cmd, ...args].join(' ')})` +
      `${r.error ? `: ${r.error.message}` : ''}\n` +
      'It needs python3, make, a C compiler and Node headers (include/node/node_api.h).\n',
  );
  process.exit(r.status ?? 1);
}
process.stdout.write(
  `@strata/native: built build/Release/strata_native.node in ${Date.now() - started} ms ` +
    `(node-gyp: ${pre[0] ?? cmd}; headers: ${dir ?? 'node-gyp default'})\n`,
);
