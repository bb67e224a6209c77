export * from './describe.js';
export * from './experimental.js';
export * from './json.js';
export * from './parse.js';
export * from './paths.js';
export * from './store-settings.js';
export * from './types.js';
