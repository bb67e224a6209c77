/**
 * @strata/core — Nix store formats and the store model, with no native dependencies.
 *
 * Formats (hashes, store paths, NAR, references, path info, narinfo, signatures) are pure
 * functions and streaming codecs; `nar/fs` is the only part that touches a file system.
 */
export * from './errors.js';
export * from './settings/index.js';
