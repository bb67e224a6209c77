#!/usr/bin/env node
// The `strata` command: runs the bundled CLI (pnpm install builds it: tsc, then scripts/bundle.mjs).
import { main } from '../bundle/index.js';

process.exitCode = await main(process.argv.slice(2));
