#!/usr/bin/env node
/**
 * Bundles each workspace package's compiled `dist/` into `bundle/`, the files its `exports` load.
 *
 * Why: a `strata` process spent ~0.25 s resolving, reading and compiling ~250 small modules
 * before doing any work (Node 20's loader costs ~1 ms a module here), against Nix's 0.02 s. One
 * bundle a package (code-split where a package has several entry points, so each of its classes
 * still exists once) cuts that to a handful of files.
 *
 * Every `@strata/*` package stays external to every other: a third-party plugin that imports
 * `@strata/core` must get the very module instance the CLI uses (tokens, StrataError, the
 * registry), so each package is loaded once, from its own `bundle/`. npm dependencies that only
 * one package uses are inlined (tsyringe and reflect-metadata into core: plugins reach tsyringe
 * only through `@strata/core`, better-sqlite3's JavaScript into plugin-local); native add-ons
 * and the lazily imported YAML / TypeScript stay outside.
 *
 * Usage: node scripts/bundle.mjs   (run by `pnpm build` after `tsc -b`)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages in bundle order (none depends on a later one's bundle: they are external anyway). */
const PACKAGES = [
  'packages/core',
  'packages/native',
  'packages/overlay',
  'packages/config',
  'plugins/dummy',
  'plugins/local',
  'plugins/local-overlay',
  'packages/cli',
];

/**
 * Entry points bundled for real, where a package has subpath exports that its index already
 * re-exports: those subpaths get a one-line module re-exporting the index, so a process loads
 * core as three files instead of ~40 code-split chunks (~20 ms of start-up here).
 */
const REAL_ENTRIES = { '@strata/core': ['index', 'conformance/index'] };

/**
 * Never inlined: other workspace packages, modules imported on demand, and `bindings`, which
 * better-sqlite3 only calls when not told where its add-on is (plugin-local always tells it).
 * better-sqlite3's own JavaScript is inlined: as ten CommonJS files it cost ~6 ms a start.
 */
const ALWAYS_EXTERNAL = ['@strata/*', 'bindings', 'yaml', 'typescript', 'uvu', 'uvu/*'];

/**
 * `@strata/core/<subpath>` (except the conformance kit) is a one-line re-export of core's index,
 * so imports of it are pointed at `@strata/core` itself: a process then never resolves, reads
 * and links the ten stub modules (~1 ms each). Third-party code importing a subpath still works.
 */
const coreSubpathsToIndex = {
  name: 'core-subpaths-to-index',
  setup(b) {
    // esbuild's filters are Go regular expressions: no look-ahead, so the kit is let through here.
    b.onResolve({ filter: /^@strata\/core\// }, (args) =>
      args.path.startsWith('@strata/core/conformance')
        ? { path: args.path, external: true }
        : { path: '@strata/core', external: true },
    );
  },
};

// ESM bundles of CommonJS dependencies (commander, cosmiconfig, cli-progress) call `require`.
const BANNER =
  "import { createRequire as __strataCreateRequire } from 'node:module';\n" +
  'const require = __strataCreateRequire(import.meta.url);';

/** `{ name → dist file }` from a package's `exports` whose `default` points into `bundle/`. */
function entryPoints(pkgDir, pkg) {
  const entries = {};
  for (const [key, value] of Object.entries(pkg.exports ?? {})) {
    if (typeof value !== 'object' || typeof value.default !== 'string') continue;
    if (!value.default.startsWith('./bundle/')) continue;
    const name = value.default.slice('./bundle/'.length).replace(/\.js$/, '');
    const dist = join(pkgDir, value.types.replace(/\.d\.ts$/, '.js'));
    if (!existsSync(dist)) throw new Error(`${key} of ${pkg.name}: ${dist} is not built`);
    entries[name] = dist;
  }
  return entries;
}

async function bundlePackage(rel) {
  const pkgDir = join(ROOT, rel);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const entries = entryPoints(pkgDir, pkg);
  if (Object.keys(entries).length === 0) return;
  const real = REAL_ENTRIES[pkg.name];
  const stubs = real ? Object.keys(entries).filter((name) => !real.includes(name)) : [];
  for (const name of stubs) delete entries[name];
  // Built beside and swapped in, so a process that starts meanwhile never finds half a bundle.
  const outdir = join(pkgDir, 'bundle');
  const next = join(pkgDir, 'bundle.next');
  rmSync(next, { recursive: true, force: true });
  await build({
    entryPoints: entries,
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    external: ALWAYS_EXTERNAL,
    plugins: pkg.name === '@strata/core' ? [] : [coreSubpathsToIndex],
    banner: { js: BANNER },
    sourcemap: true,
    // Comments and indentation are a third of the text V8 has to scan at every start.
    minifyWhitespace: true,
    // Names stay readable in stack traces and `err.name`-based checks.
    keepNames: true,
    logLevel: 'warning',
  });
  for (const name of stubs) {
    const file = join(next, `${name}.js`);
    mkdirSync(dirname(file), { recursive: true });
    const index = relative(dirname(file), join(next, 'index.js'));
    writeFileSync(file, `export * from '${index.startsWith('.') ? index : `./${index}`}';\n`);
  }
  const old = join(pkgDir, 'bundle.old');
  rmSync(old, { recursive: true, force: true });
  if (existsSync(outdir)) renameSync(outdir, old);
  renameSync(next, outdir);
  rmSync(old, { recursive: true, force: true });
  process.stdout.write(`bundled ${pkg.name} → ${relative(ROOT, outdir)}\n`);
}

for (const rel of PACKAGES) await bundlePackage(rel);
