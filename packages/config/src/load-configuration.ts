/**
 * `loadConfiguration`: reads every configuration source in precedence order and returns the
 * effective global settings with their origins (DESIGN.md "Configuration"). Lowest first:
 *
 * 1. each setting's default (some computed from the machine and the environment);
 * 2. `$NIX_CONF_DIR/nix.conf`, after which every `overridden` flag is cleared (Nix never
 *    forwards system-file values to a daemon), then the user nix.conf files, least important
 *    first (`$NIX_USER_CONF_FILES`, or XDG: `$XDG_CONFIG_DIRS` entries, then
 *    `$XDG_CONFIG_HOME`), each with `include`, `!include` and `extra-`;
 * 3. `$NIX_CONFIG`;
 * 4. the Strata config file found by cosmiconfig. (spec/config-and-urls.md §4.10 recommends
 *    placing it before `NIX_CONFIG`; DESIGN.md puts it after, and DESIGN.md is followed here:
 *    a project's Strata file is more specific than a variable set for a whole session);
 * 5. the command line: `--option NAME VALUE` and `--extra-NAME VALUE` in order, then `--store`.
 *
 * (6, a store URL's query, applies to store settings when a store is opened, not here.)
 *
 * Within one source, `experimental-features` lines are applied before the others, as Nix
 * master does, so a feature enabled anywhere in a file gates the file's other lines.
 *
 * Errors: a syntax error, a bad include, or a bad value in a file or `NIX_CONFIG` is fatal
 * (Nix's message, then ` (from <file>:<line>)`); a bad value given with `--option` is a
 * warning, as in Nix. Unknown names in nix.conf, `NIX_CONFIG` or on the command line are
 * warnings (nix.conf is shared with Nix); in the Strata config file they are errors.
 *
 * Loading only reads: no file or directory is created or written.
 *
 * @example
 *   const config = await loadConfiguration({ env: process.env, cwd: process.cwd(),
 *     flags: { options: [['cores', '4']] } });
 *   for (const w of config.warnings) console.error(`warning: ${w}`);
 */
import { posix } from 'node:path';
import {
  fromOrigin,
  isStrataError,
  type SettingOrigin,
  type SettingsSchema,
  strataError,
  tokenize,
} from '@strata/core';
import { Configuration, type ConfigurationSources } from './configuration.js';
import { GLOBAL_SETTING_SYNTAX, GLOBAL_SETTINGS } from './global-settings.js';
import { resolveNamedStoreUrl, storeDefinitionReference } from './named-stores.js';
import { nearestName } from './nearest-name.js';
import { type Env, systemNixConfFile, userNixConfFiles } from './nix-conf/locations.js';
import {
  type ConfFileSystem,
  type NixConfAssignment,
  nodeConfFileSystem,
  readNixConfFile,
  readNixConfText,
} from './nix-conf/read.js';
import { SettingsTable } from './settings-table.js';
import {
  type PluginReference,
  type StrataFileContents,
  strataFileContents,
} from './strata-file/contents.js';
import { findStrataConfig } from './strata-file/find.js';

/** The command-line part of configuration (what the CLI's global flags hold). */
export interface ConfigurationFlags {
  /** `--store URL` (or `@name`). */
  readonly store?: string;
  /** `--option NAME VALUE` and `--extra-NAME VALUE` (as `['extra-NAME', VALUE]`), in order. */
  readonly options?: ReadonlyArray<readonly [name: string, value: string]>;
}

/** How to look for the Strata config file. */
export interface StrataFileSearch {
  /** The system-wide directory (default `/etc/strata`). */
  readonly systemDir?: string;
  /** Where the upward search stops (default: the home directory). */
  readonly stopDir?: string;
}

/** Inputs of {@link loadConfiguration}; everything defaults to the current process. */
export interface LoadConfigurationOptions {
  readonly env?: Env;
  readonly cwd?: string;
  readonly flags?: ConfigurationFlags;
  /**
   * The Strata config file: searched for (default), given as already-loaded contents (an
   * embedder's own config), or not used (`false`).
   */
  readonly strataFile?:
    | StrataFileSearch
    | { readonly file: string; readonly contents: unknown }
    | false;
  /**
   * Called once every source has been read and before any value is validated, with the
   * plugins the configuration names; it loads them and may return more global settings.
   */
  readonly beforeValidation?: (
    plugins: readonly PluginReference[],
  ) => Promise<SettingsSchema | undefined> | SettingsSchema | undefined;
  /** File access, for tests (default: `node:fs`, read-only). */
  readonly fs?: ConfFileSystem;
}

interface Source {
  readonly assignments: readonly NixConfAssignment[];
  /** Reset `overridden` after this source (the system nix.conf). */
  readonly resetAfter?: boolean;
  /** What an unknown name means here. */
  readonly unknown: 'warn' | 'error';
}

const FEATURE_SETTINGS = new Set(['experimental-features', 'extra-experimental-features']);

// Nix master applies a source's experimental-feature lines first (spec §4.2).
function featuresFirst(assignments: readonly NixConfAssignment[]): NixConfAssignment[] {
  return [
    ...assignments.filter((a) => FEATURE_SETTINGS.has(a.name)),
    ...assignments.filter((a) => !FEATURE_SETTINGS.has(a.name)),
  ];
}

function flagLabel(name: string): string {
  return name.startsWith('extra-') ? `--${name}` : `--option ${name}`;
}

async function readStrataFile(
  options: LoadConfigurationOptions,
  env: Env,
  cwd: string,
): Promise<StrataFileContents | undefined> {
  const spec = options.strataFile;
  if (spec === false) return undefined;
  if (spec && 'file' in spec) return strataFileContents(spec.file, spec.contents);
  const found = await findStrataConfig({ cwd, env, ...(spec ?? {}) });
  return found ? strataFileContents(found.file, found.contents) : undefined;
}

/** Reads all configuration sources and returns the effective configuration. Only reads. */
export async function loadConfiguration(
  options: LoadConfigurationOptions = {},
): Promise<Configuration> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fs = options.fs ?? nodeConfFileSystem;
  const flags = options.flags ?? {};

  // 1. Read every source (syntax and includes are checked here, values are not yet).
  const systemFile = systemNixConfFile(env);
  const userFiles = userNixConfFiles(env).map((f) => posix.resolve(cwd, f));
  const sources: Source[] = [
    {
      assignments: readNixConfFile(posix.resolve(cwd, systemFile), fs),
      resetAfter: true,
      unknown: 'warn',
    },
    ...[...userFiles]
      .reverse()
      .map((f): Source => ({ assignments: readNixConfFile(f, fs), unknown: 'warn' })),
  ];
  if (env.NIX_CONFIG !== undefined) {
    sources.push({
      assignments: readNixConfText(env.NIX_CONFIG, 'NIX_CONFIG', fs),
      unknown: 'warn',
    });
  }
  const strata = await readStrataFile(options, env, cwd);
  if (strata) {
    sources.push({
      assignments: strata.settings.map((s) => ({ name: s.name, value: s.text, origin: s.origin })),
      unknown: 'error',
    });
  }

  // 2. Plugins are known (and loaded by the caller) before any value is validated.
  const plugins = [...(strata?.plugins ?? []), ...pluginFiles(sources, flags, cwd)];
  const extraSchema = (await options.beforeValidation?.(plugins)) ?? [];

  // 3. Apply everything in precedence order.
  const warnings: string[] = [];
  const table = new SettingsTable([...GLOBAL_SETTINGS, ...extraSchema], {
    env,
    cwd,
    syntax: GLOBAL_SETTING_SYNTAX,
    warn: (m) => warnings.push(m),
  });
  for (const source of sources) {
    for (const a of featuresFirst(source.assignments)) {
      const outcome = table.set(a.name, a.value, a.origin);
      if (outcome === 'unknown' && source.unknown === 'error') {
        const near = nearestName(a.name, table.names());
        throw strataError(
          'STRATA_ERR_CONFIG_FILE_INVALID',
          { file: strata!.file, reason: `unknown setting '${a.name}'` },
          near ? { hint: `did you mean '${near}'?` } : {},
        );
      }
    }
    if (source.resetAfter) table.resetOverridden();
  }
  for (const [name, value] of flags.options ?? []) {
    try {
      table.set(name, value, { kind: 'flag', flag: flagLabel(name) });
    } catch (e) {
      // Nix downgrades a bad `--option` value to a warning and keeps the previous value.
      if (!isStrataError(e)) throw e;
      warnings.push(e.message);
    }
  }
  if (flags.store !== undefined) table.set('store', flags.store, { kind: 'flag', flag: '--store' });
  for (const u of table.unknown()) {
    warnings.push(
      strataError('STRATA_ERR_SETTING_UNKNOWN', { name: u.name, where: fromOrigin(u.origin) })
        .message,
    );
  }

  // 4. Named stores are checked now, so a broken definition fails at start-up.
  const namedStores = strata?.stores ?? new Map();
  const namedStoreUrls = new Map(
    [...namedStores.keys()].map((name) => [name, resolveNamedStoreUrl(name, namedStores, { cwd })]),
  );
  const settings = table.resolved();
  for (const s of settings.values()) {
    const kind = s.def.type.kind;
    if (kind !== 'store-url' && kind !== 'store-url-list') continue;
    const values = kind === 'store-url' ? [s.value as string] : (s.value as string[]);
    for (const v of values) {
      if (v.startsWith('@')) storeDefinitionReference(v, namedStores, { cwd });
    }
  }

  const sourcesInfo: ConfigurationSources = {
    systemFile,
    userFiles,
    nixConfig: env.NIX_CONFIG !== undefined,
    ...(strata ? { strataFile: strata.file } : {}),
  };
  return new Configuration(
    settings,
    warnings,
    plugins,
    namedStores,
    namedStoreUrls,
    strata?.overlays ?? [],
    sourcesInfo,
    new Map([...settings.keys()].map((n) => [n, table.defaultOf(n)])),
    cwd,
  );
}

/**
 * The `plugin-files` entries the sources give, computed the way the setting will resolve (a
 * list: an assignment replaces it, `extra-` appends), each entry with the line that named it.
 */
function pluginFiles(
  sources: readonly Source[],
  flags: ConfigurationFlags,
  cwd: string,
): PluginReference[] {
  const all: Array<{ name: string; value: string; origin: SettingOrigin }> = [
    ...sources.flatMap((s) => s.assignments),
    ...(flags.options ?? []).map(([name, value]) => ({
      name,
      value,
      origin: { kind: 'flag', flag: flagLabel(name) } as const,
    })),
  ];
  let entries: PluginReference[] = [];
  for (const a of all) {
    if (a.name !== 'plugin-files' && a.name !== 'extra-plugin-files') continue;
    // Relative entries are anchored where the registry's plugin loader anchors them: at the
    // directory of the file that named them.
    const o = a.origin;
    const base = o.kind === 'nix.conf' || o.kind === 'config-file' ? posix.dirname(o.file) : cwd;
    const added = tokenize(a.value).map((p) => ({
      specifier: p,
      resolved: posix.resolve(base, p),
      origin: o,
      source: 'plugin-files' as const,
    }));
    entries = a.name === 'plugin-files' ? added : [...entries, ...added];
  }
  return entries;
}
