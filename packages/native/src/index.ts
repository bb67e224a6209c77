/**
 * @strata/native: the system calls Node lacks that Strata needs to share a store with Nix,
 * BSD `flock(2)` and `SO_PEERCRED`, two fast paths for adding to a store (a big file copied
 * and hashed natively, many small files created in parallel) and one for hashing a tree
 * (`narHashTree`), from a small N-API add-on built at install time.
 */
export * from './copy-hash-file.js';
export * from './flock.js';
export * from './nar-hash-of-object.js';
export * from './nar-hash-tree.js';
export * from './peer-credentials.js';
export * from './write-files.js';
