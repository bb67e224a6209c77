/** The SQLite database of a local store (spec store-format §6): open, query, register. */
export * from './columns.js';
export * from './derivation-files.js';
export * from './open.js';
export * from './queries.js';
export * from './registration.js';
export * from './schema.js';
export * from './sqlite-error.js';
export * from './store-database.js';
