/**
 * @strata/core — Nix store formats and the store model, with no native dependencies.
 *
 * Formats (hashes, store paths, NAR, references, path info, narinfo, signatures) are pure
 * functions and streaming codecs; `nar/fs` is the only part that touches a file system.
 */
export * from './derivation/index.js';
export * from './errors.js';
export * from './hash/index.js';
export * from './io-error.js';
export * from './nar/index.js';
export * from './path-info/index.js';
export * from './references/index.js';
export * from './registry/index.js';
export * from './settings/index.js';
export * from './store/index.js';
export * from './store-path/index.js';
