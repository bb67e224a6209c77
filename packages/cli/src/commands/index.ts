/**
 * The CLI surface: every top-level command, with a summary for `strata --help` and a loader
 * for its module. Only the invoked command's module is imported, so a run of `strata hash`
 * never loads the registry, cosmiconfig or YAML (start-up time counts in every benchmark
 * that runs `strata` as a process).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<{ register: RegisterCommand }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'config',
    summary: 'show the effective configuration and where each value came from',
    load: () => import('./config.js'),
  },
  {
    name: 'describe',
    summary: 'document the store types and their settings',
    load: () => import('./describe.js'),
  },
  {
    name: 'hash',
    summary: 'compute and convert hashes as Nix does',
    load: () => import('./hash.js'),
  },
  {
    name: 'nar',
    summary: 'create, unpack and inspect NAR archives',
    load: () => import('./nar.js'),
  },
  {
    name: 'overlay',
    summary: 'overlay mounts from the config file: plan, mount, umount, remount, check',
    load: () => import('./overlay.js'),
  },
  {
    name: 'plugins',
    summary: 'list the loaded store plugins, where they came from and their schemes',
    load: () => import('./plugins.js'),
  },
  {
    name: 'store-path',
    summary: 'parse store paths and compute the path Nix gives an object',
    load: () => import('./store-path.js'),
  },
  {
    name: 'url',
    summary: 'nested store URLs as trees, and back',
    load: () => import('./url.js'),
  },
];
