#!/usr/bin/env node
// The `strata` command: runs the bundled CLI (pnpm install builds it: tsc, then scripts/bundle.mjs),
// compiled through the V8 code caches recorded at build time (code-cache.cjs).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('./code-cache.cjs').installCodeCache();
const { main } = require('../bundle/index.cjs');

const code = await main(process.argv.slice(2));
// main() resolves only once the command's work and output are done. Letting the event loop run
// dry and Node tear itself down costs ~10 ms more a run (every benchmark counts it), so the
// process exits here, after whatever stdout and stderr still buffer has been written.
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) =>
      new Promise((resolve) => {
        if (stream.writableLength === 0) resolve();
        else stream.write('', resolve);
      }),
  ),
);
process.exit(code);
