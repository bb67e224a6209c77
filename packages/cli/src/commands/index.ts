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
    name: 'add',
    summary: 'add files or trees to the store and print their store paths',
    load: () => import('./add.js'),
  },
  {
    name: 'cat',
    summary: 'print a regular file inside the store (like nix store cat)',
    load: () => import('./cat.js'),
  },
  {
    name: 'config',
    summary: 'show the effective configuration and where each value came from',
    load: () => import('./config.js'),
  },
  {
    name: 'copy',
    summary: 'copy closures between stores (like nix copy)',
    load: () => import('./copy.js'),
  },
  {
    name: 'delete',
    summary: 'delete store paths that nothing keeps alive (like nix-store --delete)',
    load: () => import('./delete.js'),
  },
  {
    name: 'describe',
    summary: 'document the store types and their settings',
    load: () => import('./describe.js'),
  },
  {
    name: 'doctor',
    summary: 'diagnose a store and its layers: paths, database, permissions, mounts, with fixes',
    load: () => import('./doctor.js'),
  },
  {
    name: 'dump',
    summary: 'write the NAR of a store path to stdout',
    load: () => import('./dump.js'),
  },
  {
    name: 'export',
    summary: 'write paths in the nix-store --export format',
    load: () => import('./export.js'),
  },
  {
    name: 'gc',
    summary: 'collect garbage, or print roots, live or dead paths (like nix-store --gc)',
    load: () => import('./gc.js'),
  },
  {
    name: 'hash',
    summary: 'compute and convert hashes as Nix does',
    load: () => import('./hash.js'),
  },
  {
    name: 'import',
    summary: 'add the paths of a nix-store --export stream from stdin',
    load: () => import('./import.js'),
  },
  {
    name: 'info',
    summary: 'show what the store is (like nix store ping)',
    load: () => import('./info.js'),
  },
  {
    name: 'key',
    summary: 'generate signing keys and derive public keys',
    load: () => import('./key.js'),
  },
  {
    name: 'ls',
    summary: 'list a path inside the store (like nix store ls)',
    load: () => import('./ls.js'),
  },
  {
    name: 'nar',
    summary: 'create, unpack and inspect NAR archives',
    load: () => import('./nar.js'),
  },
  {
    name: 'optimise',
    summary: 'hard-link identical files in the store (like nix-store --optimise)',
    load: () => import('./optimise.js'),
  },
  {
    name: 'overlay',
    summary: 'overlay mounts from the config file: plan, mount, umount, remount, check',
    load: () => import('./overlay.js'),
  },
  {
    name: 'path-from-hash-part',
    summary: 'print the valid store path with a given hash part',
    load: () => import('./path-from-hash-part.js'),
  },
  {
    name: 'path-info',
    summary: 'show store path metadata (like nix path-info)',
    load: () => import('./path-info.js'),
  },
  {
    name: 'plugins',
    summary: 'list the loaded store plugins, where they came from and their schemes',
    load: () => import('./plugins.js'),
  },
  {
    name: 'query',
    summary: 'query the reference graph (like nix-store --query)',
    load: () => import('./query.js'),
  },
  {
    name: 'restore',
    summary: 'unpack a NAR from stdin into a new path (like nix-store --restore)',
    load: () => import('./restore.js'),
  },
  {
    name: 'sign',
    summary: 'sign store paths with a secret key (like nix store sign)',
    load: () => import('./sign.js'),
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
  {
    name: 'verify',
    summary: 'check the store or paths against the database (like nix-store --verify)',
    load: () => import('./verify.js'),
  },
];
