/** Checking a local store against its database, and repairing it (spec store-format §10). */
export * from './verify.js';
export * from './verify-path.js';
