/**
 * The read queries of the store database (spec store-format §6.4), as prepared statements made
 * once per connection. Nothing here writes: a read-only database gets only this object.
 *
 * @example
 *   const q = new PathQueries(db.sqlite, new StoreDir('/nix/store'));
 *   q.isValidPath('/nix/store/xrab…-hello.txt');
 *   q.queryPathInfo('/nix/store/xrab…-hello.txt').narHash.toString('base16');
 */
import { strataError } from '@strata/core/errors';
import type { PathInfo } from '@strata/core/path-info';
import { STORE_PATH_HASH_LENGTH, type StoreDir } from '@strata/core/store-path';
import type Database from 'better-sqlite3';
import { decodePathInfo, type ValidPathRow } from './columns.js';

/** Store paths are ASCII, so the default sort is Nix's byte-wise order. */
function sorted(paths: string[]): string[] {
  return paths.sort();
}

/** The read statements of one connection. */
export class PathQueries {
  readonly storeDir: StoreDir;
  readonly #queryPathInfo: Database.Statement<[string], ValidPathRow>;
  readonly #queryId: Database.Statement<[string], number>;
  readonly #queryReferences: Database.Statement<[number], string>;
  readonly #queryReferrers: Database.Statement<[string], string>;
  readonly #queryAllValidPaths: Database.Statement<[], string>;
  readonly #queryValidDerivers: Database.Statement<[string], string>;
  readonly #queryDerivationOutputs: Database.Statement<[number], { id: string; path: string }>;
  readonly #queryPathFromHashPart: Database.Statement<[string], string>;

  constructor(sqlite: Database.Database, storeDir: StoreDir) {
    this.storeDir = storeDir;
    this.#queryPathInfo = sqlite.prepare(
      'select id, hash, registrationTime, deriver, narSize, ultimate, sigs, ca from ValidPaths where path = ?',
    );
    this.#queryId = sqlite
      .prepare<[string], number>('select id from ValidPaths where path = ?')
      .pluck();
    this.#queryReferences = sqlite
      .prepare<[number], string>(
        'select path from Refs join ValidPaths on reference = id where referrer = ?',
      )
      .pluck();
    this.#queryReferrers = sqlite
      .prepare<[string], string>(
        'select path from Refs join ValidPaths on referrer = id where reference = (select id from ValidPaths where path = ?)',
      )
      .pluck();
    this.#queryAllValidPaths = sqlite.prepare<[], string>('select path from ValidPaths').pluck();
    this.#queryValidDerivers = sqlite
      .prepare<[string], string>(
        'select v.path from DerivationOutputs d join ValidPaths v on d.drv = v.id where d.path = ?',
      )
      .pluck();
    this.#queryDerivationOutputs = sqlite.prepare(
      'select id, path from DerivationOutputs where drv = ?',
    );
    this.#queryPathFromHashPart = sqlite
      .prepare<[string], string>('select path from ValidPaths where path >= ? limit 1')
      .pluck();
  }

  /** The row id of a valid path, or undefined. */
  pathId(path: string): number | undefined {
    return this.#queryId.get(path);
  }

  /** The row id of a valid path; `path '<p>' is not valid` otherwise. */
  validPathId(path: string): number {
    const id = this.#queryId.get(path);
    if (id === undefined) throw strataError('STRATA_ERR_STORE_NOT_VALID', { path });
    return id;
  }

  isValidPath(path: string): boolean {
    return this.#queryId.get(path) !== undefined;
  }

  /** The valid subset of `paths`, in the given order. */
  queryValidPaths(paths: readonly string[]): string[] {
    return paths.filter((p) => this.#queryId.get(p) !== undefined);
  }

  /** The path info of a valid path, or undefined when it is not valid. */
  lookupPathInfo(path: string): PathInfo | undefined {
    const row = this.#queryPathInfo.get(path);
    if (row === undefined) return undefined;
    return decodePathInfo(path, row, this.#queryReferences.all(row.id));
  }

  /** The path info of a valid path; `path '<p>' is not valid` otherwise. */
  queryPathInfo(path: string): PathInfo {
    const info = this.lookupPathInfo(path);
    if (info === undefined) throw strataError('STRATA_ERR_STORE_NOT_VALID', { path });
    return info;
  }

  /** The references of a valid path, sorted (empty when not valid). */
  queryReferences(path: string): string[] {
    const id = this.#queryId.get(path);
    return id === undefined ? [] : sorted(this.#queryReferences.all(id));
  }

  /** Valid paths that refer to `path` (itself included when self-referencing), sorted. */
  queryReferrers(path: string): string[] {
    return sorted(this.#queryReferrers.all(path));
  }

  /** Every valid `.drv` that lists `path` among its outputs, sorted. */
  queryValidDerivers(path: string): string[] {
    return sorted(this.#queryValidDerivers.all(path));
  }

  /** Output name → path of a valid derivation; `path '<p>' is not valid` otherwise. */
  queryDerivationOutputMap(drvPath: string): Map<string, string> {
    const rows = this.#queryDerivationOutputs.all(this.validPathId(drvPath));
    return new Map(rows.map((r) => [r.id, r.path]));
  }

  /** The output paths of a valid derivation, sorted. */
  queryDerivationOutputs(drvPath: string): string[] {
    return sorted([...this.queryDerivationOutputMap(drvPath).values()]);
  }

  /**
   * The valid path whose hash part is `hashPart` (exactly 32 characters, else Nix's
   * `invalid hash part`), by an index seek to the first path at or after `<dir>/<hashPart>`.
   */
  queryPathFromHashPart(hashPart: string): string | undefined {
    if (hashPart.length !== STORE_PATH_HASH_LENGTH) {
      throw strataError('STRATA_ERR_LOCALDB_BAD_HASH_PART', {});
    }
    const prefix = `${this.storeDir.path}/${hashPart}`;
    const path = this.#queryPathFromHashPart.get(prefix);
    return path?.startsWith(prefix) ? path : undefined;
  }

  /** Every valid path, sorted. */
  queryAllValidPaths(): string[] {
    return sorted(this.#queryAllValidPaths.all());
  }
}
