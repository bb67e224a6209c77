/**
 * @strata/config — nix.conf, NIX_CONFIG, the Strata config file and --option, with origins.
 *
 * @example
 *   import { loadConfiguration } from '@strata/config';
 *   const config = await loadConfiguration({ env: process.env, cwd: process.cwd() });
 *   config.get('substituters');  // ['https://cache.nixos.org/']
 */
export * from './configuration.js';
export * from './global-settings.js';
export * from './json-schema.js';
export * from './load-configuration.js';
export * from './machine.js';
export * from './named-stores.js';
export * from './nix-conf/locations.js';
export * from './nix-conf/read.js';
export * from './nix-conf/syntax.js';
export * from './settings-table.js';
export * from './show.js';
export * from './strata-file/contents.js';
export * from './strata-file/find.js';
export * from './strata-file/loaders.js';
