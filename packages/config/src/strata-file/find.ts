/**
 * Finds and loads the Strata config file with cosmiconfig (module name `strata`). The search
 * looks in the working directory and each parent up to the home directory (or `/`), taking in
 * each directory the first of {@link PROJECT_SEARCH_PLACES} that holds a configuration
 * (`package.json` counts only with a `strata` property); if none is found, it looks for
 * `config`, `config.{json,yaml,yml,js,mjs,cjs,ts}` in `$XDG_CONFIG_HOME/strata`, then in
 * `/etc/strata`. The first file found is the configuration; files are never merged.
 *
 * Directories come from the caller's environment, not `process.env`, so tests and embedders
 * control them.
 *
 * @example
 *   await findStrataConfig({ cwd: '/srv/ci', env: process.env })
 *   // { file: '/srv/ci/strata.config.yaml', contents: { stores: { … } } }
 */
import { posix } from 'node:path';
import { cosmiconfig, globalConfigSearchPlaces } from 'cosmiconfig';
import { type Env, homeDir, xdgConfigHome } from '../nix-conf/locations.js';
import { STRATA_LOADERS } from './loaders.js';

/** The file names tried in each project directory, most specific first. */
export const PROJECT_SEARCH_PLACES: readonly string[] = [
  'strata.config.js',
  'strata.config.mjs',
  'strata.config.cjs',
  'strata.config.ts',
  'strata.config.json',
  'strata.config.yaml',
  'strata.config.yml',
  '.stratarc',
  '.stratarc.json',
  '.stratarc.yaml',
  '.stratarc.yml',
  '.stratarc.js',
  '.stratarc.mjs',
  '.stratarc.cjs',
  '.stratarc.ts',
  '.config/stratarc',
  '.config/stratarc.json',
  '.config/stratarc.yaml',
  '.config/stratarc.yml',
  '.config/stratarc.js',
  '.config/stratarc.mjs',
  '.config/stratarc.cjs',
  '.config/stratarc.ts',
  'package.json',
];

/** Where to search. */
export interface FindStrataConfigOptions {
  /** Where the upward search starts. */
  readonly cwd: string;
  readonly env: Env;
  /** The system-wide directory (default `/etc/strata`). */
  readonly systemDir?: string;
  /** Where the upward search stops (inclusive; default the home directory). */
  readonly stopDir?: string;
}

/** A loaded Strata config file: its path and its contents as the loader produced them. */
export interface FoundStrataConfig {
  readonly file: string;
  readonly contents: unknown;
}

/** The directories searched, in order: the project ones, then user and system. */
export function strataSearchDirs(options: FindStrataConfigOptions): {
  project: string[];
  global: string[];
} {
  const stop = posix.resolve(options.stopDir ?? homeDir(options.env));
  const project: string[] = [];
  let dir = posix.resolve(options.cwd);
  for (;;) {
    project.push(dir);
    const parent = posix.dirname(dir);
    if (dir === stop || parent === dir) break;
    dir = parent;
  }
  // XDG says an empty variable means the default (unlike Nix, which keeps it for nix.conf).
  const xdg =
    options.env.XDG_CONFIG_HOME || xdgConfigHome({ ...options.env, XDG_CONFIG_HOME: undefined });
  const global = [`${xdg}/strata`, options.systemDir ?? '/etc/strata'];
  return { project, global };
}

/** Searches for the Strata config file; undefined when there is none. Only reads. */
export async function findStrataConfig(
  options: FindStrataConfigOptions,
): Promise<FoundStrataConfig | undefined> {
  const common = { searchStrategy: 'none', cache: false, loaders: STRATA_LOADERS } as const;
  const project = cosmiconfig('strata', { ...common, searchPlaces: [...PROJECT_SEARCH_PLACES] });
  const global = cosmiconfig('strata', { ...common, searchPlaces: globalConfigSearchPlaces });
  const dirs = strataSearchDirs(options);
  for (const [explorer, list] of [
    [project, dirs.project],
    [global, dirs.global],
  ] as const) {
    for (const dir of list) {
      const found = await explorer.search(dir);
      if (found && !found.isEmpty) return { file: found.filepath, contents: found.config };
    }
  }
  return undefined;
}
