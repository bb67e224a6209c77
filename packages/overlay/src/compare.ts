/**
 * Compares a configured overlay with the live mount table: mounted as specified, not mounted,
 * or mounted differently (with the differences spelled out). Layer paths are compared as the
 * kernel shows them, which is exactly as they were given at mount time (§6.3).
 *
 * @example
 *   mountState(m, parseMountInfo(text))
 *   // { state: 'different', differences: ["upperdir is /x, configured /persist/upper"] }
 */

import type { OverlayMount } from './model.js';
import { type MountInfoEntry, overlayLayers, topMountAt } from './mountinfo.js';

/** How a configured overlay relates to what is mounted. */
export type MountState =
  | { readonly state: 'mounted'; readonly entry: MountInfoEntry }
  | { readonly state: 'unmounted' }
  | { readonly state: 'different'; readonly entry: MountInfoEntry; readonly differences: string[] };

function show(value: string | readonly string[] | undefined): string {
  if (value === undefined) return 'unset';
  return JSON.stringify(value);
}

/** The state of `m` given the parsed mountinfo `mounts`. */
export function mountState(m: OverlayMount, mounts: readonly MountInfoEntry[]): MountState {
  const entry = topMountAt(mounts, m.mountPoint);
  if (!entry) return { state: 'unmounted' };
  const differences: string[] = [];
  const differ = (
    what: string,
    live: string | readonly string[] | undefined,
    want: typeof live,
  ) => {
    if (JSON.stringify(live) !== JSON.stringify(want)) {
      differences.push(`${what} is ${show(live)}, configured ${show(want)}`);
    }
  };
  differ('file system type', entry.fsType, 'overlay');
  if (entry.fsType === 'overlay') {
    const layers = overlayLayers(entry.superOptions);
    differ('source', entry.source, m.device);
    differ('lowerdir', layers.lowerdir, m.lowerdir);
    if (layers.dataLayers.length > 0) differ('data-only layers', layers.dataLayers, []);
    differ('upperdir', layers.upperdir, m.upperdir);
    differ('workdir', layers.workdir, m.workdir);
  }
  return differences.length === 0
    ? { state: 'mounted', entry }
    : { state: 'different', entry, differences };
}
