#!/usr/bin/env node
// The `strata` command: runs the built CLI (pnpm install builds it).
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));
