/**
 * `strata path-info [-r] [-s] [-S] [-h] [--sigs] [--json] PATH…`: store path metadata as
 * `nix path-info` (Nix 2.8) prints it. Text output lists the paths references first, padded
 * to the longest path when columns follow; `--json` prints Nix's array (sorted by path,
 * `{"path":…,"valid":false}` for invalid paths, no final newline).
 *
 * @example
 *   strata --store /tmp/root path-info -rS --sigs ./result
 */
import {
  compareBytewise,
  computeClosure,
  invalidPathJson,
  type NixJson,
  pathInfoToJson,
  renderNixJson,
  type Store,
  topoSortStorePaths,
} from '@strata/core';
import { renderContentAddress } from '@strata/core/store-path';
import type { Command } from 'commander';
import { type CliContext, printLines } from '../context.js';
import { resolveStorePathArg, withStore } from '../open-store.js';
import { pathInfoSize } from '../render/sizes.js';

interface PathInfoFlags {
  recursive?: boolean;
  size?: boolean;
  closureSize?: boolean;
  humanReadable?: boolean;
  sigs?: boolean;
}

/** Total NAR size of the closure of `path` (Nix's `getClosureSize`). */
async function closureSize(store: Store, path: string): Promise<number> {
  let total = 0;
  for (const p of await computeClosure(store, [path]))
    total += (await store.queryPathInfo(p)).narSize;
  return total;
}

async function printJson(
  ctx: CliContext,
  store: Store,
  paths: readonly string[],
  opts: PathInfoFlags,
): Promise<void> {
  const out: NixJson[] = [];
  for (const path of [...new Set(paths)].sort(compareBytewise)) {
    if (!(await store.isValidPath(path))) {
      out.push(invalidPathJson(path));
      continue;
    }
    const info = await store.queryPathInfo(path);
    out.push(
      pathInfoToJson(info, opts.closureSize ? { closureSize: await closureSize(store, path) } : {}),
    );
  }
  ctx.stdout.write(renderNixJson(out));
}

async function printText(
  ctx: CliContext,
  store: Store,
  paths: readonly string[],
  opts: PathInfoFlags,
): Promise<void> {
  const sorted = (await topoSortStorePaths(store, paths)).reverse();
  const width = Math.max(0, ...sorted.map((p) => p.length));
  const columns = opts.size || opts.closureSize || opts.sigs;
  const human = opts.humanReadable === true;
  await printLines(ctx, async (println) => {
    for (const path of sorted) {
      const info = await store.queryPathInfo(path);
      let line = path;
      if (columns) line += ' '.repeat(width - path.length);
      if (opts.size) line += pathInfoSize(info.narSize, human);
      if (opts.closureSize) line += pathInfoSize(await closureSize(store, path), human);
      if (opts.sigs) {
        const ss: string[] = [];
        if (info.ultimate) ss.push('ultimate');
        if (info.ca !== undefined) ss.push(`ca:${renderContentAddress(info.ca)}`);
        ss.push(...info.sigs);
        line += `\t${ss.join(' ')}`;
      }
      println(line);
    }
  });
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('path-info')
    .description('show store path metadata like nix path-info')
    .argument('<paths...>', 'store paths, paths inside the store, or symlinks to them')
    .option('-r, --recursive', 'apply to the closure of the paths')
    .option('-s, --size', 'print the NAR size of each path')
    .option('-S, --closure-size', 'print the total NAR size of the closure of each path')
    .option('-h, --human-readable', 'sizes in K/M/G units')
    .option('--sigs', 'print signatures (and ultimate/ca)')
    .helpOption('--help', 'display help for command')
    .action(async (args: string[], opts: PathInfoFlags) => {
      await withStore(ctx, async (store) => {
        let paths = args.map((a) => resolveStorePathArg(ctx, store, a));
        if (opts.recursive) paths = await computeClosure(store, paths);
        if (ctx.flags.json) return printJson(ctx, store, paths, opts);
        for (const p of paths) await store.queryPathInfo(p);
        return printText(ctx, store, paths, opts);
      });
    });
}
