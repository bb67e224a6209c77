/**
 * Path infos and what is built on them: fingerprints, Ed25519 keys and signatures, narinfo and
 * `nix-cache-info` files, and `nix path-info --json` output (spec store-format §7, §8).
 */
export * from './cache-info.js';
export * from './ed25519.js';
export * from './fingerprint.js';
export * from './json.js';
export * from './keys.js';
export * from './narinfo.js';
export * from './path-info.js';
export * from './signatures.js';
