/** The CLI surface: one `register` per command module. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { register as config } from './config.js';
import { register as describe } from './describe.js';
import { register as hash } from './hash.js';
import { register as nar } from './nar.js';
import { register as plugins } from './plugins.js';
import { register as storePath } from './store-path.js';
import { register as url } from './url.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  config,
  describe,
  hash,
  nar,
  plugins,
  storePath,
  url,
];
