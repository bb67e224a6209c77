/** Hard-link deduplication of a local store through `real/.links` (spec store-format §11). */
export * from './link-key.js';
export * from './optimise.js';
export * from './read-dir.js';
