/**
 * The open-time mount check of an overlay store (spec/local-overlay.md §3.2): the visible
 * mount on `real` must be an overlay whose `upperdir` is `upper-layer` and whose lower layers
 * are the lower store's `real` (nested) or the flattened chain below (flat, §7.3). A mismatch
 * fails with Nix's text, `overlay filesystem "<real>" mounted incorrectly`, plus a hint that
 * says what was expected, what is mounted, and the command that mounts it right.
 *
 * @example
 *   checkOverlayStoreMount({ real, upperLayer, lower }, readMountInfo());
 */
import { strataError } from '@strata/core/errors';
import {
  checkStoreMount,
  type MountInfoEntry,
  overlayLayers,
  type StoreMountExpectation,
  storeMountCommand,
} from '@strata/overlay';

/** Placeholder for the work directory in the suggested command when none is known. */
const WORKDIR_PLACEHOLDER = '<empty work dir on the upper layer file system>';

function describeEntry(entry: MountInfoEntry | undefined): string {
  if (entry === undefined) return 'nothing is mounted there';
  return `${entry.fsType} ${entry.source} ${entry.superOptions.join(',')}`;
}

/** Throws the "mounted incorrectly" error unless `mounts` shows the expected overlay. */
export function checkOverlayStoreMount(
  expected: StoreMountExpectation,
  mounts: readonly MountInfoEntry[],
): 'nested' | 'flat' {
  const result = checkStoreMount(mounts, expected);
  if (result.ok) return result.layout;
  const live =
    result.entry?.fsType === 'overlay' ? overlayLayers(result.entry.superOptions) : undefined;
  // The mounted work dir is reused unless it is the upper layer itself (or inside it), which
  // the kernel refuses: a misconfigured upper-layer often names the old work dir.
  const reusable =
    live?.workdir !== undefined &&
    live.workdir !== expected.upperLayer &&
    !live.workdir.startsWith(`${expected.upperLayer}/`) &&
    !expected.upperLayer.startsWith(`${live.workdir}/`);
  const workdir = reusable ? live.workdir! : WORKDIR_PLACEHOLDER;
  const hint = [
    `expected lowerdir: ${expected.lower.real}`,
    `expected upperdir: ${expected.upperLayer}`,
    `actual mount: ${describeEntry(result.entry)}`,
    `problem: ${result.reason}`,
    `mount it with: ${storeMountCommand(expected, workdir)}`,
    ...(expected.lower.kind === 'overlay'
      ? [`or flat (lower levels frozen): ${storeMountCommand(expected, workdir, true)}`]
      : []),
  ].join('\n');
  throw strataError(
    'STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY',
    { real: expected.real },
    { hint },
  );
}
