/**
 * Deleting an entry of an overlay store's merged directory without ever hiding a lower object
 * (spec/local-overlay.md §4.10, invariant I3). Three cases, by what the layers hold:
 *
 * - in the upper layer and also below (a valid lower path, or a name in a lower layer):
 *   delete it in the upper layer directly — no whiteout — and report that a remount is needed;
 * - in the upper layer only: delete it through the merged directory (no whiteout either);
 * - not in the upper layer (a lower-only object, or nothing): leave it; nothing is freed.
 *
 * @example
 *   const r = await deleteFromOverlay({ name, mergedPath, upperLayer, existsBelow });
 *   if (r.remountRequired) …
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, ioError } from '@strata/core/io-error';
import { deleteRealPath } from '@strata/plugin-local';

/** What {@link deleteFromOverlay} needs. */
export interface OverlayDeletion {
  /** The entry's name in the store directory. */
  readonly name: string;
  /** `real/<name>`: the entry seen through the mount. */
  readonly mergedPath: string;
  readonly upperLayer: string;
  /** Whether the lower store (or a lower layer) has the entry. */
  existsBelow(name: string): Promise<boolean>;
}

/** What a deletion did. */
export interface OverlayDeletionResult {
  readonly bytesFreed: bigint;
  /** An upper-layer entry was removed behind the kernel's back: remount before relying on it. */
  readonly remountRequired: boolean;
  readonly where: 'upper-layer' | 'merged' | 'nothing';
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw ioError('getting status of', path, e);
  }
}

/** Deletes one entry by the three-way rule of the module comment. */
export async function deleteFromOverlay(d: OverlayDeletion): Promise<OverlayDeletionResult> {
  const upper = join(d.upperLayer, d.name);
  if (!exists(upper)) return { bytesFreed: 0n, remountRequired: false, where: 'nothing' };
  if (await d.existsBelow(d.name)) {
    return { bytesFreed: deleteRealPath(upper), remountRequired: true, where: 'upper-layer' };
  }
  return { bytesFreed: deleteRealPath(d.mergedPath), remountRequired: false, where: 'merged' };
}
