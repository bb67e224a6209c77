/** Hashes: algorithms, the base16/Nix32/base64/SRI encodings, parsing, and hashing. */
export * from './algorithm.js';
export * from './base16.js';
export * from './base32.js';
export * from './base64.js';
export * from './hash.js';
export * from './hasher.js';
export * from './parse.js';
