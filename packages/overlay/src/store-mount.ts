/**
 * The mount an overlay store needs (spec/local-overlay.md §3.2, §7.3): from the chain of
 * stores below it, the lower layers it accepts — nested (the lower store's `real` alone) or
 * flat (`flatten(lower)`: the upper layers of every overlay level below, top-most first, then
 * the base store's `real`) — and the check of the live mount table against them. It parses
 * mountinfo instead of pattern-matching, so it accepts every mount Nix's check accepts, and
 * more (any source name, escaped paths, the flat layout).
 *
 * @example
 *   const base = { kind: 'base', real: '/srv/l0/nix/store' } as const;
 *   const s1 = { kind: 'overlay', real: '/srv/s1/nix/store', upperLayer: '/srv/s1-up', lower: base } as const;
 *   flattenStoreLayers(s1)                  // ['/srv/s1-up', '/srv/l0/nix/store']
 *   checkStoreMount(readMountInfo(), { real: '/srv/s2/nix/store', upperLayer: '/srv/s2-up', lower: s1 })
 *   // { ok: true, layout: 'nested', entry } — or { ok: false, reason, entry? }
 */
import { type MountInfoEntry, overlayLayers, topMountAt } from './mountinfo.js';
import { escapeDirPath, lowerdirOption } from './option-escape.js';
import { shellCommand } from './render.js';

/** One level of a store chain, as far as mounts are concerned. */
export type StoreLevel =
  | { readonly kind: 'base'; readonly real: string }
  | {
      readonly kind: 'overlay';
      readonly real: string;
      readonly upperLayer: string;
      readonly lower: StoreLevel;
    };

/** `flatten(S)` of spec §7.3: the lower layers a flat mount of a store over `S` lists. */
export function flattenStoreLayers(level: StoreLevel): string[] {
  const layers: string[] = [];
  let at: StoreLevel = level;
  while (at.kind === 'overlay') {
    layers.push(at.upperLayer);
    at = at.lower;
  }
  layers.push(at.real);
  return layers;
}

/** What an overlay store's mount must look like. */
export interface StoreMountExpectation {
  /** The overlay store's `real`: the mount point. */
  readonly real: string;
  /** Its `upper-layer`: the mount's `upperdir`. */
  readonly upperLayer: string;
  /** The store below it. */
  readonly lower: StoreLevel;
}

/** Outcome of {@link checkStoreMount}. */
export type StoreMountCheck =
  | { readonly ok: true; readonly layout: 'nested' | 'flat'; readonly entry: MountInfoEntry }
  | { readonly ok: false; readonly reason: string; readonly entry?: MountInfoEntry };

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks the visible (last-listed) mount at `real`: an overlay whose `upperdir` is the upper
 * layer and whose lower layers are `[lower.real]` (nested) or `flatten(lower)` (flat).
 * Option values are compared exactly as the kernel shows them (after unescaping), so a
 * mount made with a trailing slash or a relative path does not match, as in Nix.
 */
export function checkStoreMount(
  mounts: readonly MountInfoEntry[],
  expected: StoreMountExpectation,
): StoreMountCheck {
  const entry = topMountAt(mounts, expected.real);
  if (entry === undefined) return { ok: false, reason: `nothing is mounted on ${expected.real}` };
  if (entry.fsType !== 'overlay') {
    return { ok: false, reason: `${expected.real} is a ${entry.fsType} mount, not overlay`, entry };
  }
  const layers = overlayLayers(entry.superOptions);
  const problems: string[] = [];
  if (layers.upperdir !== expected.upperLayer) {
    problems.push(
      `upperdir is ${layers.upperdir === undefined ? 'unset' : JSON.stringify(layers.upperdir)}, expected ${JSON.stringify(expected.upperLayer)}`,
    );
  }
  const nested = [expected.lower.real];
  const flat = flattenStoreLayers(expected.lower);
  const layout = same(layers.lowerdir, nested)
    ? 'nested'
    : same(layers.lowerdir, flat)
      ? 'flat'
      : undefined;
  if (layout === undefined) {
    const want = same(nested, flat)
      ? JSON.stringify(nested)
      : `${JSON.stringify(nested)} (nested) or ${JSON.stringify(flat)} (flat)`;
    problems.push(`lowerdir is ${JSON.stringify(layers.lowerdir)}, expected ${want}`);
  }
  if (problems.length > 0 || layout === undefined) {
    return { ok: false, reason: problems.join('; '), entry };
  }
  return { ok: true, layout, entry };
}

/**
 * The `mount` command that sets up the store's overlay: nested over the lower store's `real`,
 * or flat when the lower store is itself an overlay store and `flat` is asked for (the only
 * way past the kernel's two-level nesting limit). `workdir` is an empty directory on the
 * upper layer's file system.
 */
export function storeMountArgv(
  expected: StoreMountExpectation,
  workdir: string,
  flat = false,
): string[] {
  const lower = flat ? flattenStoreLayers(expected.lower) : [expected.lower.real];
  const options = `lowerdir=${lowerdirOption(lower)},upperdir=${escapeDirPath(expected.upperLayer)},workdir=${escapeDirPath(workdir)}`;
  return ['mount', '-t', 'overlay', 'overlay', '-o', options, expected.real];
}

/** {@link storeMountArgv} as a shell command line. */
export function storeMountCommand(
  expected: StoreMountExpectation,
  workdir: string,
  flat = false,
): string {
  return shellCommand(storeMountArgv(expected, workdir, flat));
}

/** How many overlay levels a chain has above its base store. */
export function overlayDepth(level: StoreLevel): number {
  let depth = 0;
  for (let at = level; at.kind === 'overlay'; at = at.lower) depth++;
  return depth;
}
