#!/usr/bin/env node
/**
 * Bundles each workspace package's compiled `dist/` into `bundle/*.cjs`, the files its `exports`
 * load, then records V8 code caches for them (scripts/code-cache-warm.mjs).
 *
 * Why: start-up is most of a short `strata` command (`query requisites` is ~0.1 s of Nix's
 * time). Node 20 spent ~0.25 s resolving, reading and compiling ~250 small modules; one bundle a
 * package cut that to a handful of files, and CommonJS bundles let the CLI hand V8 a code cache
 * (packages/cli/bin/code-cache.cjs): compiled functions are deserialised instead of parsed and
 * compiled again, ~40 ms less at every start. Node 20 has no code cache for ES modules.
 *
 * Every `@strata/*` package stays external to every other: a third-party plugin that imports
 * `@strata/core` must get the very module instance the CLI uses (tokens, StrataError, the
 * registry). Both `import` and `require` resolve to the one `bundle/index.cjs`, which Node's
 * CommonJS cache holds once; esbuild annotates its export names, so ES modules can import them
 * by name. npm dependencies that only one package uses are inlined (tsyringe and
 * reflect-metadata into core, better-sqlite3's JavaScript into plugin-local); native add-ons and
 * the lazily imported YAML / TypeScript stay outside.
 *
 * Usage: node scripts/bundle.mjs   (run by `pnpm build` after `tsc -b`)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
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
 * re-exports: those subpaths get a one-line module re-exporting the index, so core exists once.
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
 * so imports of it are pointed at `@strata/core` itself: a process then never resolves and reads
 * the ten stub modules. Third-party code importing a subpath still works.
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

/**
 * For core's conformance kit: core's own modules come from `@strata/core` (its index exports
 * them all), so the kit's StrataError, BaseStore and tokens are the ones plugins see.
 */
function coreInternalsFromIndex(coreDist) {
  return {
    name: 'core-internals-from-index',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = join(args.resolveDir, args.path);
        const inKit = target.startsWith(join(coreDist, 'conformance') + sep);
        return inKit || !target.startsWith(coreDist + sep)
          ? undefined
          : { path: '@strata/core', external: true };
      });
    },
  };
}

/**
 * ES module code in a CommonJS bundle: `import.meta.url` becomes the bundle file's URL (the
 * packages resolve add-ons and package files relative to it, one level below the package).
 *
 * And `import()` of what is not bundled (YAML, config files, plugins) goes through
 * `__strataImport`: Node 20 loses the dynamic-import callback of a script compiled from a V8
 * code cache ("A dynamic import callback was not specified"), so under `bin/strata.js` the
 * import is made by bin/code-cache.cjs, which Node compiled itself, resolving from the bundle's
 * file. Loaded any other way, the bundle imports as usual.
 */
const BANNER = [
  'var __strata_import_meta_url = require("node:url").pathToFileURL(__filename).href;',
  'var __strataImport = (specifier) => (globalThis[Symbol.for("strata.dynamicImport")] ?? ((s) => import(s)))(specifier, __filename);',
].join('\n');

/**
 * Our own compiled modules with `import(x)` of anything but a relative literal (those esbuild
 * bundles) calling `__strataImport(x)` instead (see BANNER).
 */
const dynamicImportsThroughHook = {
  name: 'dynamic-imports-through-hook',
  setup(b) {
    b.onLoad({ filter: /[\\/](packages|plugins)[\\/][^\\/]+[\\/]dist[\\/].*\.js$/ }, (args) => {
      if (!args.path.startsWith(ROOT + sep) || args.path.includes(`${sep}node_modules${sep}`)) {
        return undefined;
      }
      const source = readFileSync(args.path, 'utf8');
      return { contents: source.replace(/\bimport\((?!['"]\.)/g, '__strataImport('), loader: 'js' };
    });
  },
};

/** `{ name → dist file }` from a package's `exports` whose `default` points into `bundle/`. */
function entryPoints(pkgDir, pkg) {
  const entries = {};
  for (const [key, value] of Object.entries(pkg.exports ?? {})) {
    if (typeof value !== 'object' || typeof value.default !== 'string') continue;
    if (!value.default.startsWith('./bundle/')) continue;
    const name = value.default.slice('./bundle/'.length).replace(/\.cjs$/, '');
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
  // One build per entry: CommonJS output cannot share chunks between entries.
  for (const [name, file] of Object.entries(entries)) {
    const plugins = [
      dynamicImportsThroughHook,
      ...(pkg.name !== '@strata/core'
        ? [coreSubpathsToIndex]
        : name === 'index'
          ? []
          : [coreInternalsFromIndex(join(pkgDir, 'dist'))]),
    ];
    await build({
      entryPoints: { [name]: file },
      outdir: next,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ALWAYS_EXTERNAL,
      plugins,
      banner: { js: BANNER },
      define: { 'import.meta.url': '__strata_import_meta_url' },
      sourcemap: true,
      // Comments and indentation are a third of the text V8 would scan without a code cache.
      minifyWhitespace: true,
      // Names stay readable in stack traces and `err.name`-based checks.
      keepNames: true,
      logLevel: 'warning',
    });
  }
  for (const name of stubs) {
    const file = join(next, `${name}.cjs`);
    mkdirSync(dirname(file), { recursive: true });
    const index = relative(dirname(file), join(next, 'index.cjs'));
    writeFileSync(
      file,
      `module.exports = require('${index.startsWith('.') ? index : `./${index}`}');\n`,
    );
  }
  const old = join(pkgDir, 'bundle.old');
  rmSync(old, { recursive: true, force: true });
  if (existsSync(outdir)) renameSync(outdir, old);
  renameSync(next, outdir);
  rmSync(old, { recursive: true, force: true });
  process.stdout.write(`bundled ${pkg.name} → ${relative(ROOT, outdir)}\n`);
}

for (const rel of PACKAGES) await bundlePackage(rel);

// The code caches: best effort, as a missing or stale cache only costs start-up time.
const warm = spawnSync(process.execPath, [join(ROOT, 'scripts', 'code-cache-warm.mjs')], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (warm.status !== 0) {
  process.stderr.write('warning: no V8 code caches were written; `strata` starts slower\n');
}
