import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreDir } from '@strata/core/store-path';
import {
  NIX,
  nix,
  nixFails,
  requires,
  tempDir,
  throwsWith,
  withTempDir,
} from '@strata/test-support';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase, readSchemaVersion } from './open.js';
import { openStoreDatabase } from './store-database.js';

const test = suite('local db: open');
const nixTest = requires(test, NIX);

const dbDirOf = (root: string) => join(root, 'nix/var/nix/db');
const sqlite3 = (file: string, sql: string) =>
  execFileSync('sqlite3', [file, sql], { encoding: 'utf8' });

/** A chroot store made by Nix 2.8 with one path in it; returns its db dir. */
function nixStore(root: string): string {
  writeFileSync(join(root, '..', 'hello.txt'), 'hello\n');
  nix('nix-store', ['--store', root, '--add', join(root, '..', 'hello.txt')]);
  return dbDirOf(root);
}

/** Bytes and mtime of every file in `dir`, and the listing itself. */
function snapshot(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const p = join(dir, f);
      const st = statSync(p);
      return `${f} ${st.mtimeMs} ${st.size} ${readFileSync(p).toString('base64')}`;
    })
    .join('\n');
}

nixTest('a new database has the schema, pragmas and schema file of one Nix 2.8 creates', () =>
  withTempDir((dir) => {
    const nixDb = nixStore(join(dir, 'nix-root'));
    const ours = dbDirOf(join(dir, 'strata-root'));
    const db = openDatabase({ dbDir: ours, create: true });
    assert.ok(db.created);
    db.close();
    const ourFile = join(ours, 'db.sqlite');
    const nixFile = join(nixDb, 'db.sqlite');
    assert.is(sqlite3(ourFile, '.schema'), sqlite3(nixFile, '.schema'));
    const pragmas =
      'pragma journal_mode; pragma page_size; pragma auto_vacuum; pragma user_version; pragma encoding;';
    assert.is(sqlite3(ourFile, pragmas), sqlite3(nixFile, pragmas));
    assert.is(sqlite3(ourFile, pragmas), 'wal\n4096\n0\n0\nUTF-8\n');
    assert.equal(readFileSync(join(ours, 'schema')), readFileSync(join(nixDb, 'schema')));
    assert.is(readFileSync(join(ours, 'schema'), 'latin1'), '10');
    // 2.8 checkpoints and removes the WAL files when the last connection closes.
    assert.equal(readdirSync(ours).sort(), ['db.sqlite', 'schema']);
    assert.is(readSchemaVersion(ours), 10);
  }),
);

nixTest('Nix 2.8 uses a database Strata created', () =>
  withTempDir((dir) => {
    const root = join(dir, 'root');
    openDatabase({ dbDir: dbDirOf(root), create: true }).close();
    writeFileSync(join(dir, 'f.txt'), 'contents\n');
    const path = nix('nix-store', ['--store', root, '--add', join(dir, 'f.txt')]);
    assert.is(nix('nix-store', ['--store', root, '-q', '--size', path]), '128');
    const db = openStoreDatabase({
      dbDir: dbDirOf(root),
      storeDir: new StoreDir(),
      realStoreDir: join(root, 'nix/store'),
    });
    assert.equal(db.queries.queryAllValidPaths(), [path]);
    db.close();
  }),
);

test('opening never creates anything without create', () =>
  withTempDir((dir) => {
    const dbDir = dbDirOf(join(dir, 'root'));
    throwsWith(
      () => openDatabase({ dbDir }),
      'STRATA_ERR_LOCALDB_MISSING',
      `the Nix database '${dbDir}/db.sqlite' does not exist (open it with create to make a new store)`,
    );
    throwsWith(
      () => openDatabase({ dbDir, readOnly: true, create: true }),
      'STRATA_ERR_LOCALDB_MISSING_READ_ONLY',
      'database does not exist, and cannot be created in read-only mode',
    );
    assert.equal(readdirSync(dir), []);
  }));

nixTest('a newer, older or unreadable schema version is refused as Nix refuses it', () =>
  withTempDir((dir) => {
    const root = join(dir, 'root');
    const dbDir = nixStore(root);
    const schema = join(dbDir, 'schema');
    writeFileSync(schema, '11');
    const newer = 'current Nix store schema is version 11, but I only support 10';
    throwsWith(() => openDatabase({ dbDir }), 'STRATA_ERR_LOCALDB_SCHEMA_TOO_NEW', newer);
    throwsWith(() => openDatabase({ dbDir, readOnly: true }), 'STRATA_ERR_LOCALDB_SCHEMA_TOO_NEW');
    assert.is(
      nixFails('nix-store', ['--store', root, '--verify']).stderr.trim(),
      `error: ${newer}`,
    );
    for (const text of ['x1', '10\n', '', '1.5']) {
      writeFileSync(schema, text);
      const corrupt = `'${schema}' is corrupt`;
      throwsWith(() => openDatabase({ dbDir }), 'STRATA_ERR_LOCALDB_SCHEMA_CORRUPT', corrupt);
      assert.is(
        nixFails('nix-store', ['--store', root, '--verify']).stderr.trim(),
        `error: ${corrupt}`,
      );
    }
    writeFileSync(schema, '9');
    throwsWith(
      () => openDatabase({ dbDir }),
      'STRATA_ERR_LOCALDB_SCHEMA_TOO_OLD',
      'current Nix store schema is version 9, but I only support 10; upgrade the store with Nix 2.8 first',
    );
  }),
);

nixTest('a file that is not a database is refused with the message Nix gives', () =>
  withTempDir((dir) => {
    const root = join(dir, 'root');
    const dbDir = nixStore(root);
    const file = join(dbDir, 'db.sqlite');
    writeFileSync(file, Buffer.alloc(5000, 0x5a));
    const e = throwsWith(() => openDatabase({ dbDir }), 'STRATA_ERR_LOCALDB_SQLITE');
    const expected = `executing SQLite statement 'pragma synchronous = normal': file is not a database (in '${file}')`;
    assert.is(e.message, expected);
    const args = ['--store', root, '-q', '--hash', '/nix/store/00000000000000000000000000000000-x'];
    assert.is(nixFails('nix-store', args).stderr.trim(), `error: ${expected}`);
    throwsWith(
      () => openDatabase({ dbDir, readOnly: true }),
      'STRATA_ERR_LOCALDB_SQLITE',
      `querying journal mode: file is not a database (in '${file}')`,
    );
  }),
);

nixTest('read-only: no write statement is prepared and no file changes', () =>
  withTempDir((dir) => {
    const root = join(dir, 'root');
    const dbDir = nixStore(root);
    const before = snapshot(dbDir);
    const prepared: string[] = [];
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function (this: Database.Database, sql: string) {
      prepared.push(sql);
      return prepare.call(this, sql);
    } as typeof prepare;
    try {
      const db = openStoreDatabase({
        dbDir,
        readOnly: true,
        storeDir: new StoreDir(),
        realStoreDir: join(root, 'nix/store'),
      });
      const [p] = db.queries.queryAllValidPaths();
      assert.is(db.queries.queryPathInfo(p).narSize, 120);
      throwsWith(
        () => db.writer(),
        'STRATA_ERR_LOCALDB_READ_ONLY',
        `cannot modify the Nix database '${dbDir}/db.sqlite': it is open read-only`,
      );
      assert.ok(db.database.sqlite.readonly);
      db.close();
    } finally {
      Database.prototype.prepare = prepare;
    }
    assert.ok(prepared.length > 0);
    for (const sql of prepared) assert.not.match(sql, /\b(insert|update|delete|replace)\b/i);
    assert.is(snapshot(dbDir), before);
  }),
);

test('read-only mode opens a path with URI characters in it', () => {
  const t = tempDir('strata-db ?#%-');
  try {
    const dbDir = join(t.path, 'db');
    mkdirSync(dbDir);
    openDatabase({ dbDir, create: true }).close();
    const db = openDatabase({ dbDir, readOnly: true });
    assert.is(db.sqlite.prepare('select count(*) from ValidPaths').pluck().get(), 0);
    db.close();
    assert.not.ok(existsSync(join(dbDir, 'db.sqlite-wal')));
  } finally {
    t.cleanup();
  }
});

test('without WAL the journal mode is truncate', () =>
  withTempDir((dir) => {
    const dbDir = join(dir, 'db');
    const db = openDatabase({ dbDir, create: true, useSqliteWal: false, fsyncMetadata: false });
    // Only WAL is a property of the file; truncate is the connection's setting.
    assert.is(db.sqlite.pragma('journal_mode', { simple: true }), 'truncate');
    assert.is(db.sqlite.pragma('synchronous', { simple: true }), 0);
    db.close();
  }));

test.run();
