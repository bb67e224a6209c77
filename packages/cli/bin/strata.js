#!/usr/bin/env node
// The `strata` command: runs the bundled CLI (pnpm install builds it: tsc, then scripts/bundle.mjs),
// compiled through the V8 code caches recorded at build time (code-cache.cjs).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('./code-cache.cjs').installCodeCache();
const { main } = require('../bundle/index.cjs');

// Interrupted: Nix's line and exit code; exit handlers remove unfinished temporary objects.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stderr.write('error: interrupted by the user\n');
    process.exit(1);
  });
}

// main() resolves only once the command's work is done and its output written (or the reader
// has gone away). Letting the event loop run dry and Node tear itself down costs ~10 ms more a
// run (every benchmark counts it), so the process exits here, after whatever stderr still holds.
const code = await main(process.argv.slice(2));
if (process.stderr.writableLength > 0)
  await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(code);
