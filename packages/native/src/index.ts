/**
 * @strata/native: the system calls Node lacks that Strata needs to share a store with Nix,
 * BSD `flock(2)` and `SO_PEERCRED`, from a small N-API add-on built at install time.
 */
export * from './flock.js';
export * from './peer-credentials.js';
