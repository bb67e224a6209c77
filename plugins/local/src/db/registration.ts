/**
 * The write side of the store database (spec store-format §6.5): registering valid paths,
 * invalidating one, adding signatures. Its statements are prepared only when this object is
 * made, and `openStoreDatabase` makes it only for writable databases, so a read-only
 * connection never prepares a write statement. A `.drv` is parsed when it is registered, and
 * its output paths must be the ones its hash implies (Nix 2.8's `checkDerivationOutputs`), so
 * a forged derivation is refused.
 *
 * @example
 *   const reg = new PathRegistration(db.sqlite, queries, { realStoreDir: '/nix/store' });
 *   reg.registerValidPaths([info]);      // one transaction: rows, references, drv outputs
 *   reg.invalidatePath(info.path);       // refused while another path refers to it
 */
import {
  checkDerivationOutputs,
  type Derivation,
  derivationOutputPaths,
} from '@strata/core/derivation';
import { strataError } from '@strata/core/errors';
import { type PathInfo, sortedSignatures } from '@strata/core/path-info';
import { requireExperimentalFeature } from '@strata/core/settings';
import { topoSortPaths } from '@strata/core/store';
import { isContentAddressed } from '@strata/core/store-path';
import type Database from 'better-sqlite3';
import { encodeContentAddress, encodeNarHash, encodeSigs, rowValues } from './columns.js';
import { DerivationFiles } from './derivation-files.js';
import type { PathQueries } from './queries.js';
import { withSqliteContext } from './sqlite-error.js';

/** Where the registration reads `.drv` files, and its clock. */
export interface RegistrationOptions {
  /** The physical store directory (`real`), where `<base name>` of a `.drv` is read. */
  readonly realStoreDir: string;
  /** Seconds since the epoch, for infos registered with no `registrationTime`. */
  readonly now?: () => number;
  /**
   * Throws unless `ca-derivations` is enabled: called for a `.drv` with floating outputs.
   * Without it such derivations are refused, as by Nix with the feature off.
   */
  readonly requireCaDerivations?: () => void;
}

type RowValues = ReturnType<typeof rowValues>;

/** The write statements of one writable connection. */
export class PathRegistration {
  readonly #sqlite: Database.Database;
  readonly #queries: PathQueries;
  readonly #now: () => number;
  readonly #insert: Database.Statement<RowValues>;
  readonly #update: Database.Statement<
    [number | null, string, 1 | null, string | null, string | null, string]
  >;
  readonly #addReference: Database.Statement<[number, number]>;
  readonly #addDerivationOutput: Database.Statement<[number, string, string]>;
  readonly #invalidate: Database.Statement<[string]>;
  /** Infos `check` passed (infos are immutable), so registering them does not check again. */
  readonly #checked = new WeakSet<PathInfo>();
  readonly #derivations: DerivationFiles;

  constructor(sqlite: Database.Database, queries: PathQueries, options: RegistrationOptions) {
    this.#sqlite = sqlite;
    this.#queries = queries;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#derivations = new DerivationFiles(
      options.realStoreDir,
      queries.storeDir,
      options.requireCaDerivations ?? (() => requireExperimentalFeature([], 'ca-derivations')),
    );
    this.#insert = sqlite.prepare(
      'insert into ValidPaths (path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca) values (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#update = sqlite.prepare(
      'update ValidPaths set narSize = ?, hash = ?, ultimate = ?, sigs = ?, ca = ? where path = ?',
    );
    this.#addReference = sqlite.prepare(
      'insert or replace into Refs (referrer, reference) values (?, ?)',
    );
    this.#addDerivationOutput = sqlite.prepare(
      'insert or replace into DerivationOutputs (drv, id, path) values (?, ?, ?)',
    );
    this.#invalidate = sqlite.prepare('delete from ValidPaths where path = ?');
  }

  /**
   * Runs `fn` in one `BEGIN IMMEDIATE` transaction; SQLite failures name `what` and the file.
   * Immediate: the write lock is taken (waiting up to the busy timeout) before anything is
   * read. A deferred transaction that reads and then writes fails at once with SQLITE_BUSY
   * when another process (Nix) committed in between, which the busy timeout cannot help.
   */
  #write(what: string, fn: () => void): void {
    const tx = this.#sqlite.transaction(fn);
    withSqliteContext(what, this.#sqlite.name, () => tx.immediate());
  }

  /**
   * Checks what SQL cannot: store paths, and that a claimed content address holds. Registering
   * runs it on every info first; an import runs it before writing an object, so a batch it
   * registers later does not fail for one bad info.
   */
  check(info: PathInfo): void {
    const dir = this.#queries.storeDir;
    const path = dir.parsePath(info.path);
    const references = info.references.map((r) => dir.parsePath(r));
    if (info.deriver !== undefined) dir.parsePath(info.deriver);
    if (info.ca !== undefined && !isContentAddressed({ path, ca: info.ca, references }, dir)) {
      throw strataError('STRATA_ERR_CA_NOT_CONTENT_ADDRESSED', { path: info.path });
    }
    encodeNarHash(info.narHash);
    this.#checked.add(info);
  }

  #updateRow(info: PathInfo): void {
    this.#update.run(
      info.narSize === 0 ? null : info.narSize,
      encodeNarHash(info.narHash),
      info.ultimate ? 1 : null,
      encodeSigs(info.sigs),
      encodeContentAddress(info.ca),
      info.path,
    );
  }

  #insertDerivationOutputs(drvId: number, drv: Derivation): void {
    // Floating content-addressed outputs have no path until they are built; fixed outputs
    // are recorded at the path their hash gives, as Nix does.
    for (const [name, path] of derivationOutputPaths(drv, this.#queries.storeDir)) {
      this.#addDerivationOutput.run(drvId, name, path);
    }
  }

  /**
   * Registers `infos` in one transaction, as Nix 2.8's `registerValidPaths`: each path's row
   * is inserted, or updated when it exists (narSize, hash, ultimate, sigs, ca; not deriver nor
   * registrationTime); a `.drv`'s outputs go into `DerivationOutputs`; then all references
   * are added (each must be valid or in the batch: `path '<p>' is not valid`); a reference
   * cycle other than a self-reference fails. On any failure nothing is changed.
   */
  registerValidPaths(infos: readonly PathInfo[]): void {
    for (const info of infos) if (!this.#checked.has(info)) this.check(info);
    this.#write('registering valid paths', () => {
      const derivations: [string, Derivation][] = [];
      for (const info of infos) {
        if (this.#queries.isValidPath(info.path)) {
          this.#updateRow(info);
        } else {
          const id = Number(this.#insert.run(...rowValues(info, this.#now)).lastInsertRowid);
          if (info.path.endsWith('.drv')) {
            const drv = this.#derivations.read(info.path);
            this.#insertDerivationOutputs(id, drv);
            derivations.push([info.path, drv]);
          }
        }
      }
      for (const info of infos) {
        const referrer = this.#queries.validPathId(info.path);
        for (const r of info.references) {
          this.#addReference.run(referrer, this.#queries.validPathId(r));
        }
      }
      // After the references, as Nix 2.8 checks them: input derivations are valid by now.
      const dir = this.#queries.storeDir;
      for (const [path, drv] of derivations) {
        checkDerivationOutputs(path, drv, dir, () => this.#derivations.modulo(drv));
      }
      const refs = new Map(infos.map((i) => [i.path, i.references]));
      topoSortPaths(refs.keys(), (p) => refs.get(p) ?? []);
    });
  }

  /**
   * Removes a valid path's row (with its outgoing references and derivation outputs), as
   * Nix's `invalidatePathChecked`: refused with `cannot delete path '<p>' because it is in use
   * by '<q1>', '<q2>'` while other valid paths refer to it. A path that is not valid is a no-op.
   */
  invalidatePath(path: string): void {
    this.#write(`invalidating path '${path}'`, () => {
      if (!this.#queries.isValidPath(path)) return;
      const referrers = this.#queries.queryReferrers(path).filter((r) => r !== path);
      if (referrers.length > 0) {
        throw strataError('STRATA_ERR_LOCALDB_PATH_IN_USE', {
          path,
          referrers: referrers.map((r) => `'${r}'`).join(', '),
        });
      }
      this.#invalidate.run(path);
    });
  }

  /** Adds `sigs` to a valid path's signatures (a set union), in one transaction. */
  addSignatures(path: string, sigs: readonly string[]): void {
    this.#write(`adding signatures to '${path}'`, () => {
      const info = this.#queries.queryPathInfo(path);
      this.#updateRow({ ...info, sigs: sortedSignatures([...info.sigs, ...sigs]) });
    });
  }
}
