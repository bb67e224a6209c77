'use strict';
/**
 * V8 code caches for Strata's bundles (`<package>/bundle/*.cjs`, see scripts/bundle.mjs): each
 * bundle is compiled with the cache recorded next to it at build time
 * (`index.cjs.v8cache`), so V8 deserialises the functions a command needs instead of parsing
 * and compiling ~0.7 MB of JavaScript at every start (~40 ms of a ~0.15 s `strata query`).
 * Node 20 has no such cache of its own (`module.enableCompileCache` came with Node 22).
 *
 * A missing, stale or rejected cache (another Node, other V8 flags) only means compiling as
 * usual; caches are never written at run time, so a read-only install works the same.
 * Everything else Node loads as it always does.
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, isAbsolute, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

/** `require.main` as Node gives it to every module (undefined under an ES module entry). */
const MAIN = require.main;

/** The first line of every Strata bundle (scripts/bundle.mjs's banner). */
const BANNER = 'var __strata_import_meta_url = ';

/** Whether the module `filename` with source `content` is one of Strata's bundles. */
function isBundle(filename, content) {
  return filename.endsWith('.cjs') && content.startsWith(BANNER);
}

/**
 * What `import(specifier)` in the bundle `filename` means, as something this module can import:
 * URLs and `node:` modules as they are, paths as file URLs, packages as the bundle's `require`
 * finds them (from its own package). What cannot be resolved is left for `import()` to report.
 */
function importable(specifier, filename) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return specifier;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return pathToFileURL(resolve(dirname(filename), specifier)).href;
  }
  try {
    return pathToFileURL(Module.createRequire(filename).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}

/**
 * The bundles' `import()` (scripts/bundle.mjs rewrites it to `__strataImport`). Node 20 drops
 * the dynamic-import callback of a script compiled from a code cache, so the import is made
 * here, in a module Node compiled itself.
 */
function installDynamicImport() {
  globalThis[Symbol.for('strata.dynamicImport')] = (specifier, filename) =>
    import(importable(specifier, filename));
}

/**
 * Compiles Strata's bundles through a V8 code cache from now on. With `record`, no cache is
 * read and each bundle's script is kept in the returned map, for `createCachedData()` once a
 * workload has run (scripts/code-cache-warm.mjs).
 */
/** Bundles compiled through a cache so far, and those whose cache V8 turned down. */
const stats = { cached: 0, rejected: 0, uncached: 0 };

function installCodeCache({ record = false } = {}) {
  const scripts = new Map();
  installDynamicImport();
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!isBundle(filename, content)) return compile.call(this, content, filename);
    let cachedData;
    if (!record) {
      try {
        cachedData = readFileSync(`${filename}.v8cache`);
      } catch {
        // No cache recorded (or unreadable): compiled as usual.
      }
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
    });
    if (record) scripts.set(filename, script);
    else if (cachedData === undefined) stats.uncached++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.cached++;
    const wrapper = script.runInThisContext({ displayErrors: true });
    const require = (id) => this.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    require.main = MAIN;
    require.cache = Module._cache;
    require.extensions = Module._extensions;
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  return scripts;
}

module.exports = { installCodeCache, isBundle, codeCacheStats: () => ({ ...stats }) };
