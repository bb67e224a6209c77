/**
 * Shared test helpers: the Nix 2.8 oracle, skips with a reason, temporary directories.
 *
 * @example
 *   import { suite } from 'uvu';
 *   import { requires, NIX, nixHash } from '@strata/test-support';
 *   const test = suite('nar vs nix');
 *   requires(test, NIX)('dump matches', () => { … });
 */
export * from './capture.js';
export * from './errors.js';
export * from './nix.js';
export * from './skip.js';
export * from './tmp.js';
