/**
 * Opens (or creates) the SQLite database of a local store, `state/db/db.sqlite`, as Nix 2.8
 * does (spec store-format §6.1–6.2): the `schema` file decides between creating a new database
 * (missing or `0`), refusing (corrupt, older or newer than 10) and opening; every writable
 * connection gets Nix's busy timeout and pragmas.
 *
 * Read-only mode opens the file immutable (`file:…?immutable=1`, as Nix master's `read-only`
 * store setting does): SQLite then takes no locks and never creates `-wal`/`-shm` files, so
 * nothing on disk changes. The price: changes still in another process's WAL are not seen.
 *
 * @example
 *   const db = openDatabase({ dbDir: '/nix/var/nix/db' });
 *   db.sqlite.prepare('select count(*) from ValidPaths').pluck().get();
 *   db.close();
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { strataError } from '@strata/core/errors';
import Database from 'better-sqlite3';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { sqliteError, withSqliteContext } from './sqlite-error.js';

// better-sqlite3 reads this once, when its first connection opens; URIs are needed for
// `immutable=1` and for choosing the `unix-dotfile` VFS.
process.env.SQLITE_USE_URI ??= '1';

let nativeBinding: string | undefined;

/** Where node-gyp builds better-sqlite3's add-on, the usual place first. */
const ADDON_BUILDS = ['Release', 'Debug'].map(
  (b) => `better-sqlite3/build/${b}/better_sqlite3.node`,
);

/**
 * better-sqlite3's compiled add-on, named to better-sqlite3 so that it never falls back to its
 * `bindings` search: that probes ~100 paths on every start, and it cannot work from the plugin's
 * bundle, which inlines better-sqlite3's JavaScript (scripts/bundle.mjs).
 */
export function sqliteAddon(): string {
  if (nativeBinding === undefined) {
    const require = createRequire(import.meta.url);
    for (const candidate of ADDON_BUILDS) {
      try {
        nativeBinding = require.resolve(candidate);
        break;
      } catch {
        // Not built there; the next kind of build is tried.
      }
    }
    if (nativeBinding === undefined) {
      throw strataError(
        'STRATA_ERR_LOCALDB_SQLITE_NOT_BUILT',
        { tried: ADDON_BUILDS.join(', ') },
        { hint: "run 'pnpm rebuild better-sqlite3' (it builds from source with node-gyp)" },
      );
    }
  }
  return nativeBinding;
}

/** Nix's busy timeout: one hour. */
export const BUSY_TIMEOUT_MS = 3_600_000;

/** How to open a store database. */
export interface OpenDatabaseOptions {
  /** The database directory, `<state>/db`. */
  readonly dbDir: string;
  /**
   * Create the directory, `db.sqlite` and `schema` when the store has no database yet (as Nix
   * does for a new store). Without it a missing database is an error and nothing is created.
   */
  readonly create?: boolean;
  /** Open immutable and read-only: no pragma that writes, no file created or changed. */
  readonly readOnly?: boolean;
  /**
   * With `readOnly`: false opens a plain read-only connection instead, which sees what other
   * processes commit meanwhile (their WAL) at the price of SQLite's shared-memory file next to
   * the database. For lower stores of overlays, which Nix keeps adding to. Default true.
   */
  readonly immutable?: boolean;
  /** Nix's `fsync-metadata` (default true): `synchronous = normal`, else `off`. */
  readonly fsyncMetadata?: boolean;
  /** Nix's `use-sqlite-wal` (default true): WAL journal, else `truncate` and dot-file locks. */
  readonly useSqliteWal?: boolean;
}

/** An open store database. */
export interface OpenDatabase {
  /** The better-sqlite3 connection. */
  readonly sqlite: Database.Database;
  /** `<dbDir>/db.sqlite`, as named in messages. */
  readonly file: string;
  readonly dbDir: string;
  readonly readOnly: boolean;
  /** True when this call created the database. */
  readonly created: boolean;
  /** Closes the connection (2.8 then checkpoints and removes the WAL files). Idempotent. */
  close(): void;
}

/**
 * The schema version in `<dbDir>/schema`: 0 when the file is missing; Nix's
 * `'<file>' is corrupt` when it is not an integer.
 */
export function readSchemaVersion(dbDir: string): number {
  const file = join(dbDir, 'schema');
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw sqliteError('reading the schema version', file, e);
  }
  if (!/^[+-]?[0-9]+$/.test(text)) throw strataError('STRATA_ERR_LOCALDB_SCHEMA_CORRUPT', { file });
  return Number.parseInt(text, 10);
}

/** `path` as an SQLite URI (the characters URIs give a meaning to are escaped). */
function sqliteUri(path: string, params: string): string {
  const escaped = path.replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `file:${escaped}?${params}`;
}

function checkVersion(version: number, dbDir: string): void {
  if (version > SCHEMA_VERSION) {
    throw strataError('STRATA_ERR_LOCALDB_SCHEMA_TOO_NEW', {
      version: String(version),
      supported: SCHEMA_VERSION,
    });
  }
  if (version !== 0 && version < SCHEMA_VERSION) {
    throw strataError(
      'STRATA_ERR_LOCALDB_SCHEMA_TOO_OLD',
      { version: String(version), supported: SCHEMA_VERSION },
      { hint: `run any Nix 2.8 command on the store of '${dbDir}' to migrate it` },
    );
  }
}

/** Runs one statement the way Nix reports it failing. */
function exec(sqlite: Database.Database, file: string, sql: string): void {
  withSqliteContext(`executing SQLite statement '${sql}'`, file, () => sqlite.exec(sql));
}

/** Nix 2.8's connection settings for a writable connection (§6.1, steps 3–6). */
function configureWritable(
  sqlite: Database.Database,
  file: string,
  options: OpenDatabaseOptions,
): void {
  exec(sqlite, file, 'pragma foreign_keys = 1');
  exec(sqlite, file, `pragma synchronous = ${options.fsyncMetadata === false ? 'off' : 'normal'}`);
  const mode = options.useSqliteWal === false ? 'truncate' : 'wal';
  const current = withSqliteContext('querying journal mode', file, () =>
    sqlite.prepare('pragma main.journal_mode;').pluck().get(),
  );
  if (current !== mode) {
    withSqliteContext('setting journal mode', file, () =>
      sqlite.exec(`pragma main.journal_mode = ${mode};`),
    );
  }
  if (mode === 'wal') {
    withSqliteContext('setting autocheckpoint interval', file, () =>
      sqlite.exec('pragma wal_autocheckpoint = 40000;'),
    );
  }
}

function connect(file: string, options: OpenDatabaseOptions, create: boolean): Database.Database {
  const readOnly = options.readOnly === true;
  let name = file;
  if (readOnly && options.immutable !== false) name = sqliteUri(file, 'immutable=1');
  else if (options.useSqliteWal === false) name = sqliteUri(file, 'vfs=unix-dotfile');
  const nativeBinding = sqliteAddon();
  return withSqliteContext(
    'cannot open SQLite database',
    file,
    () =>
      new Database(name, {
        readonly: readOnly,
        fileMustExist: !create,
        timeout: BUSY_TIMEOUT_MS,
        nativeBinding,
      }),
  );
}

/**
 * Opens the database in `options.dbDir`. Fails with Nix's messages on a corrupt or unsupported
 * `schema` file and on a file that is not an SQLite database; creates nothing unless
 * `options.create` is set and the store has no database yet.
 */
export function openDatabase(options: OpenDatabaseOptions): OpenDatabase {
  const { dbDir } = options;
  const file = join(dbDir, 'db.sqlite');
  const readOnly = options.readOnly === true;
  const version = readSchemaVersion(dbDir);
  checkVersion(version, dbDir);
  const create = version === 0;
  if (create && readOnly) throw strataError('STRATA_ERR_LOCALDB_MISSING_READ_ONLY', {});
  if (create && options.create !== true) throw strataError('STRATA_ERR_LOCALDB_MISSING', { file });
  if (create) mkdirSync(dbDir, { recursive: true, mode: 0o755 });

  const sqlite = connect(file, options, create);
  try {
    if (readOnly) {
      exec(sqlite, file, 'pragma foreign_keys = 1');
      // Reads the header: a file that is not a database fails here, not at the first query.
      withSqliteContext('querying journal mode', file, () =>
        sqlite.prepare('pragma main.journal_mode;').pluck().get(),
      );
    } else {
      configureWritable(sqlite, file, options);
    }
    if (create) {
      exec(sqlite, file, SCHEMA_SQL);
      writeFileSync(join(dbDir, 'schema'), String(SCHEMA_VERSION), { mode: 0o666 });
    }
  } catch (e) {
    sqlite.close();
    throw e;
  }
  let open = true;
  return {
    sqlite,
    file,
    dbDir,
    readOnly,
    created: create,
    close() {
      if (!open) return;
      open = false;
      sqlite.close();
    },
  };
}
