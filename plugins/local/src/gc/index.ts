/** Garbage collection of the local store: roots, temporary roots, the collector (spec §9). */
export * from './collect.js';
export * from './delete-path.js';
export * from './gc-socket.js';
export * from './max-freed.js';
export * from './roots.js';
export * from './summary.js';
export * from './temp-roots.js';
export * from './unused-links.js';
