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
import { type ClosureEdges, numberedClosureEdges } from '@strata/core/store';
import { STORE_PATH_HASH_LENGTH, type StoreDir } from '@strata/core/store-path';
import type Database from 'better-sqlite3';
import { decodePathInfo, type ValidPathRow } from './columns.js';

/** Store paths are ASCII, so the default sort is Nix's byte-wise order. */
function sorted(paths: string[]): string[] {
  return paths.sort();
}

/**
 * One recursive query per direction for a closure with its edges: the members (start ids given
 * as a JSON array; `union` keeps each once, so cycles end) in Nix's byte-wise order (SQLite's
 * default collation compares UTF-8 bytes), each with its row id and its references' (or
 * referrers') row ids, space-separated. Ids rather than paths: the neighbours are numbered by
 * their place among the members without a string in sight (see `numberedClosureEdges`).
 */
const CLOSURE_SQL = {
  references: `with recursive closure(id) as (
      select value from json_each(?)
      union
      select reference from Refs join closure on referrer = closure.id)
    select v.id, v.path, (select group_concat(reference, ' ') from Refs where referrer = v.id)
    from closure join ValidPaths v on v.id = closure.id order by v.path`,
  referrers: `with recursive closure(id) as (
      select value from json_each(?)
      union
      select referrer from Refs join closure on reference = closure.id)
    select v.id, v.path, (select group_concat(referrer, ' ') from Refs where reference = v.id)
    from closure join ValidPaths v on v.id = closure.id order by v.path`,
} as const;

/** A row of {@link CLOSURE_SQL}: a member's id, its path, its neighbours' ids (null: none). */
type ClosureRow = [number, string, string | null];

/**
 * The members' numbers of the ids in `list` ('12 7 30'), ascending. Every neighbour of a
 * closure member is a member; an id without a row (a database whose foreign keys were not
 * enforced) is passed over, as the join in the query passes it over as a member.
 */
function neighbourNumbers(list: string, numberOf: Map<number, number>): number[] {
  const numbers: number[] = [];
  let id = 0;
  for (let k = 0; k <= list.length; k++) {
    const c = k < list.length ? list.charCodeAt(k) : 32;
    if (c !== 32) {
      id = id * 10 + (c - 48);
      continue;
    }
    const n = numberOf.get(id);
    id = 0;
    if (n === undefined) continue;
    // Insertion keeps the list ascending; most members have a handful of neighbours.
    let at = numbers.length;
    numbers.push(n);
    while (at > 0 && numbers[at - 1]! > n) {
      numbers[at] = numbers[at - 1]!;
      at--;
    }
    numbers[at] = n;
  }
  return numbers;
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
  #queryRealisation: Database.Statement<[string, string], string> | undefined;
  readonly #queryPathFromHashPart: Database.Statement<[string], string>;
  readonly #sqlite: Database.Database;
  #validAmong: Database.Statement<[string], string> | undefined;
  /** Prepared on first use: most processes never ask for a closure. */
  readonly #closure = new Map<keyof typeof CLOSURE_SQL, Database.Statement<[string], ClosureRow>>();

  constructor(sqlite: Database.Database, storeDir: StoreDir) {
    this.storeDir = storeDir;
    this.#sqlite = sqlite;
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

  /** The members of `paths` that are valid, in one query (for long lists). */
  validPathsAmong(paths: readonly string[]): Set<string> {
    if (paths.length === 0) return new Set();
    this.#validAmong ??= this.#sqlite
      .prepare<[string], string>(
        'select path from ValidPaths where path in (select value from json_each(?))',
      )
      .pluck();
    return new Set(this.#validAmong.all(JSON.stringify(paths)));
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

  /**
   * The path realised for output `outputName` of the derivation whose static output hash is
   * `drvHash` (`sha256:<base16>`), from the `ca-derivations` table `Realisations`; undefined
   * when there is none, or no such table (Nix creates it only with the feature on).
   */
  realisedOutput(drvHash: string, outputName: string): string | undefined {
    if (this.#queryRealisation === undefined) {
      const exists = this.#sqlite
        .prepare("select 1 from sqlite_master where type = 'table' and name = 'Realisations'")
        .pluck()
        .get();
      if (exists === undefined) return undefined;
      this.#queryRealisation = this.#sqlite
        .prepare<[string, string], string>(
          'select v.path from Realisations r join ValidPaths v on v.id = r.outputPath where r.drvPath = ? and r.outputName = ?',
        )
        .pluck();
    }
    return this.#queryRealisation.get(drvHash, outputName);
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

  /**
   * The closure of `paths` with each member's references (or referrers), sorted, by one
   * recursive query. Following references, the first start path that is not valid fails with
   * `path '<p>' is not valid`; following referrers it is a member without referrers (as in
   * Nix's `computeFSClosure`).
   */
  closureGraph(paths: readonly string[], direction: 'references' | 'referrers'): ClosureEdges {
    const ids: number[] = [];
    const unknown: string[] = [];
    for (const p of paths) {
      const id = this.#queryId.get(p);
      if (id !== undefined) ids.push(id);
      else if (direction === 'references') {
        throw strataError('STRATA_ERR_STORE_NOT_VALID', { path: p });
      } else unknown.push(p);
    }
    let statement = this.#closure.get(direction);
    if (statement === undefined && ids.length > 0) {
      statement = this.#sqlite.prepare<[string], ClosureRow>(CLOSURE_SQL[direction]).raw(true);
      this.#closure.set(direction, statement);
    }
    const rows = statement === undefined ? [] : statement.all(JSON.stringify(ids));
    const items = new Array<string>(rows.length);
    const numberOf = new Map<number, number>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      items[i] = row[1];
      numberOf.set(row[0], i);
    }
    const adjacency = new Array<number[]>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const list = rows[i]![2];
      adjacency[i] = list === null ? [] : neighbourNumbers(list, numberOf);
    }
    const edges = numberedClosureEdges(items, adjacency);
    if (unknown.length === 0) return edges;
    // Invalid start paths of a referrers closure: members without edges, as in Nix.
    const all: ClosureEdges = new Map(edges);
    for (const p of unknown) if (!all.has(p)) all.set(p, []);
    return all;
  }

  /** Every valid path, sorted. */
  queryAllValidPaths(): string[] {
    return sorted(this.#queryAllValidPaths.all());
  }
}
