export * from './add-path.js';
export * from './base.js';
export * from './check-nar.js';
export * from './closure.js';
export * from './copy.js';
export * from './topo-sort.js';
export * from './types.js';
export * from './unsupported.js';
