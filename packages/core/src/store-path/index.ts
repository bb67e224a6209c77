/** Store paths: parsing and printing, path computation, content addresses, hash modulo. */
export * from './canon-path.js';
export * from './content-address.js';
export * from './hash-modulo.js';
export * from './make.js';
export * from './rewrite.js';
export * from './store-dir.js';
export * from './store-path.js';
