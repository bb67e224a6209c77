/**
 * `strata doctor` for a local store: where each part of it really is, and what is wrong with
 * its setup, each problem with the change that fixes it. Only looks: creates and changes
 * nothing (a store without a database is reported as such, not created).
 *
 * @example
 *   const d = diagnoseLocalStore({ url, locations, globals, readOnly });
 *   d.problems   // [{ message: "…db is not writable…", fix: 'chown -R 1000 /srv/r/nix/var/nix' }]
 */
import { accessSync, constants, lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isStrataError } from '@strata/core/errors';
import type { StoreDiagnosis, StoreProblem } from '@strata/core/store';
import { StoreDir } from '@strata/core/store-path';
import { readSchemaVersion } from '../db/open.js';
import { SCHEMA_VERSION } from '../db/schema.js';
import { openStoreDatabase } from '../db/store-database.js';
import type { StoreLocations } from '../layout/locations.js';
import type { LocalGlobals } from '../settings.js';

/** What the diagnosis needs to know about the store. */
export interface LocalDiagnosisInput {
  readonly url: string;
  readonly kind: string;
  readonly locations: StoreLocations;
  readonly globals: LocalGlobals;
  readonly readOnly: boolean;
  readonly uid?: number;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function describeMode(path: string): string {
  try {
    const st = statSync(path);
    return `${(st.mode & 0o7777).toString(8).padStart(4, '0')} uid ${st.uid} gid ${st.gid}`;
  } catch {
    return 'missing';
  }
}

/** Diagnoses the local store described by `input`. */
export function diagnoseLocalStore(input: LocalDiagnosisInput): StoreDiagnosis {
  const { locations: loc, globals } = input;
  const uid = input.uid ?? process.geteuid?.() ?? 0;
  const problems: StoreProblem[] = [];
  const facts: Array<readonly [string, string]> = [
    ['store dir', loc.storeDir],
    ['real store dir', `${loc.realStoreDir} (${describeMode(loc.realStoreDir)})`],
    ['state dir', loc.stateDir],
    ['log dir', loc.logDir],
    ['database', join(loc.dbDir, 'db.sqlite')],
    ['read-only', String(input.readOnly)],
  ];

  if (!globals.allowSymlinkedStore) {
    for (let p = loc.realStoreDir; p !== '/'; p = dirname(p)) {
      try {
        if (lstatSync(p).isSymbolicLink()) {
          problems.push({
            message: `the path '${p}' is a symlink; this is not allowed for the Nix store and its parent directories`,
            fix: `point the store's 'real' (or 'root') setting at the resolved directory, or set 'allow-symlinked-store = true'`,
          });
          break;
        }
      } catch {}
    }
  }

  let version: number | undefined;
  try {
    version = readSchemaVersion(loc.dbDir);
    facts.push(['schema version', version === 0 ? 'none (no database yet)' : String(version)]);
  } catch (e) {
    problems.push({
      message: isStrataError(e) ? e.message : String(e),
      fix: `restore '${join(loc.dbDir, 'schema')}' (it holds the two bytes '10'), or rebuild the database from a backup`,
    });
  }
  if (version !== undefined && version > SCHEMA_VERSION) {
    problems.push({
      message: `current Nix store schema is version ${version}, but I only support ${SCHEMA_VERSION}`,
      fix: 'use the store with the newer Nix that upgraded it, or through its daemon (--store daemon)',
    });
  } else if (version !== undefined && version !== 0 && version < SCHEMA_VERSION) {
    problems.push({
      message: `the database has schema version ${version}; Strata needs ${SCHEMA_VERSION}`,
      fix: `run 'nix-store --store ${input.url} --verify' with Nix 2.8 once to migrate it`,
    });
  } else if (version === SCHEMA_VERSION) {
    try {
      const db = openStoreDatabase({
        dbDir: loc.dbDir,
        storeDir: new StoreDir(loc.storeDir),
        realStoreDir: loc.realStoreDir,
        readOnly: true,
      });
      try {
        facts.push(['valid paths', String(db.queries.queryAllValidPaths().length)]);
      } finally {
        db.close();
      }
    } catch (e) {
      problems.push({
        message: isStrataError(e) ? e.message : String(e),
        fix: `the database is damaged: restore '${join(loc.dbDir, 'db.sqlite')}' from a backup`,
      });
    }
  }

  if (!input.readOnly) {
    for (const dir of [loc.dbDir, loc.stateDir, loc.realStoreDir]) {
      try {
        statSync(dir);
      } catch {
        continue; // created by the first write
      }
      if (!writable(dir)) {
        problems.push({
          message: `'${dir}' is not writable by uid ${uid}: adding paths and collecting garbage will fail`,
          fix: `chown -R ${uid} '${dir}', use the store through its daemon, or open it with read-only=true`,
        });
      }
    }
  }

  try {
    const leftovers = readdirSync(loc.realStoreDir).filter(
      (n) => n === 'trash' || /^add-\d+-\d+$/.test(n) || n.endsWith('.lock'),
    );
    if (leftovers.length > 0) {
      facts.push(['leftovers in the store dir', String(leftovers.length)]);
      if (!input.readOnly) {
        problems.push({
          message: `${leftovers.length} leftover entries in the store dir (lock files, temporary directories): e.g. '${leftovers[0]}'`,
          fix: `strata --store '${input.url}' gc`,
        });
      }
    }
  } catch {}
  return { url: input.url, kind: input.kind, facts, problems };
}
