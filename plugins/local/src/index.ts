/**
 * @strata/plugin-local — the `local` store: a Nix store on this machine's file system, shared
 * with Nix 2.8. So far: its SQLite database layer (`db/`).
 */
export * from './db/index.js';
