/** Nix-compatible `flock` locks: lock files and per-path locks. */
export * from './lock-file.js';
export * from './path-locks.js';
