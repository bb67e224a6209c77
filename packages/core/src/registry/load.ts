/**
 * Loading third-party plugins named in configuration (the Strata config file's `plugins:`,
 * nix.conf's `plugin-files`): each is `import()`ed — a file path (relative to the file that
 * listed it; a directory means every JavaScript file in it) or a package name (resolved from
 * that file's directory) — and registered. A plugin that cannot be imported, or whose default
 * export is not a valid manifest, fails with an error naming the file and where it was listed.
 *
 * @example
 *   await loadPlugins(registry, [
 *     { specifier: './plugins/memory.js', origin: { kind: 'config-file', file: '/p/strata.config.yaml' } },
 *   ]);
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isStrataError, strataError } from '../errors.js';
import { describeOrigin, type SettingOrigin } from '../settings/types.js';
import type { StorePlugin } from './plugin.js';
import type { Warn } from './query.js';
import type { StoreRegistry } from './registry.js';

/** One configured plugin: what was written, and where. */
export interface PluginSpec {
  /** A file path (absolute, or relative to the listing file) or a package name. */
  readonly specifier: string;
  /** Where it was listed (its file's directory anchors relative specifiers). */
  readonly origin: SettingOrigin | string;
}

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** Anchor for relative specifiers whose origin names no file; default `process.cwd()`. */
  readonly cwd?: string;
  /** Receives notices (Nix shared-object plugins that Strata skips). */
  readonly warn?: Warn;
}

const JS_FILE = /\.(m?js|cjs|ts|mts)$/;
/** TypeScript declarations beside compiled plugins (`tsc` output): not modules to load. */
const DECLARATION_FILE = /\.d\.(m|c)?ts$/;
const SHARED_OBJECT = /\.(so|dylib|dll)(\.\d+)*$/;

function originText(origin: SettingOrigin | string): string {
  return typeof origin === 'string' ? origin : describeOrigin(origin);
}

function baseDirOf(origin: SettingOrigin | string, cwd: string): string {
  if (typeof origin !== 'string' && (origin.kind === 'nix.conf' || origin.kind === 'config-file')) {
    return dirname(origin.file);
  }
  return cwd;
}

function isPathSpecifier(s: string): boolean {
  return isAbsolute(s) || s.startsWith('./') || s.startsWith('../') || s === '.' || s === '..';
}

/** The files a specifier stands for (a directory expands to its JavaScript files, sorted). */
function filesOf(spec: PluginSpec, cwd: string): string[] {
  const base = baseDirOf(spec.origin, cwd);
  if (isPathSpecifier(spec.specifier)) {
    const path = resolve(base, spec.specifier);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      return readdirSync(path)
        .filter((f) => JS_FILE.test(f) && !DECLARATION_FILE.test(f))
        .sort()
        .map((f) => join(path, f));
    }
    return [path];
  }
  try {
    return [createRequire(join(base, 'noop.js')).resolve(spec.specifier)];
  } catch {
    // Not resolvable from the listing file's directory: let import() try (and report) it.
    return [spec.specifier];
  }
}

/**
 * Imports and registers each plugin, in order; returns the manifests registered. Stops at the
 * first failure (plugins are loaded before any setting is validated, so a broken plugin list
 * is reported before anything else).
 */
export async function loadPlugins(
  registry: StoreRegistry,
  specs: readonly PluginSpec[],
  options: LoadPluginsOptions = {},
): Promise<StorePlugin[]> {
  const loaded: StorePlugin[] = [];
  const cwd = options.cwd ?? process.cwd();
  // A file listed twice (in nix.conf and the Strata config file, say) is one plugin.
  const seen = new Set<string>();
  for (const spec of specs) {
    const listedIn = originText(spec.origin);
    for (const file of filesOf(spec, cwd)) {
      if (seen.has(file)) continue;
      seen.add(file);
      if (SHARED_OBJECT.test(file)) {
        options.warn?.(
          `ignoring plugin '${file}' (listed in ${listedIn}): it is a Nix plugin (shared object); Strata loads JavaScript plugins`,
        );
        continue;
      }
      let mod: { default?: unknown };
      try {
        const target = isAbsolute(file) ? pathToFileURL(file).href : file;
        mod = (await import(target)) as { default?: unknown };
      } catch (e) {
        const reason =
          (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
            ? `no such module or file '${file}'`
            : (e as Error).message;
        throw strataError(
          'STRATA_ERR_PLUGIN_LOAD_FAILED',
          { specifier: spec.specifier, origin: listedIn, reason },
          { cause: e },
        );
      }
      try {
        loaded.push(registry.register(mod.default, file, listedIn));
      } catch (e) {
        if (isStrataError(e) && !e.message.includes(file)) {
          throw strataError(
            'STRATA_ERR_PLUGIN_LOAD_FAILED',
            { specifier: spec.specifier, origin: listedIn, reason: `${file}: ${e.message}` },
            { cause: e, ...(e.hint === undefined ? {} : { hint: e.hint }) },
          );
        }
        throw e;
      }
    }
  }
  return loaded;
}
