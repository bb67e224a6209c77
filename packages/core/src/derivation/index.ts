export * from './derivation.js';
export * from './hash-modulo.js';
export * from './read.js';
