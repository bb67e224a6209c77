/**
 * `strata overlay plan`: for each configured overlay, in mount order, the directories to
 * create, the exact `mount` command, the /etc/fstab line and the systemd units. Pure: the
 * file-system rules are checked by the caller (see `validateOverlayFileSystem`).
 *
 * @example
 *   renderPlanText(planOverlays([m]))
 *   // # /mnt/a-b
 *   // mkdir -p -m 0755 /persist/upper /persist/work
 *   // mkdir -p /mnt/a-b
 *   // mount -t overlay overlay -o lowerdir=… /mnt/a-b
 *   // …
 */
import { describeOrigin } from '@strata/core';
import { type OverlayMount, validateOverlays } from './model.js';
import { checkStackingDepth, mountOrder } from './order.js';
import {
  fstabLine,
  mkdirArgv,
  mountArgv,
  mountPointArgv,
  mountUnit,
  preMountService,
  shellCommand,
  type UnitFile,
} from './render.js';
import { mountUnitName } from './systemd-escape.js';

/** One command of a plan, as argv and as a shell line. */
export interface PlanCommand {
  readonly argv: readonly string[];
  readonly shell: string;
}

/** Everything Strata would do or write for one overlay. */
export interface OverlayPlan {
  readonly mountPoint: string;
  readonly unit: string;
  /** Where the entry was defined (`file (overlays[0])`), when known. */
  readonly origin?: string;
  /** In order: `mkdir -p -m 0755 UPPER WORK` (writable overlays), `mkdir -p MOUNTPOINT`, `mount …`. */
  readonly commands: readonly PlanCommand[];
  readonly fstab: string;
  /** The `.mount` unit, then the pre-mount service (writable overlays). */
  readonly units: readonly UnitFile[];
}

function command(argv: readonly string[]): PlanCommand {
  return { argv, shell: shellCommand(argv) };
}

/** The commands that mount `m` (directories first). */
export function mountCommands(m: OverlayMount): PlanCommand[] {
  const mkdir = mkdirArgv(m);
  return [...(mkdir ? [command(mkdir)] : []), command(mountPointArgv(m)), command(mountArgv(m))];
}

/** Validates `mounts` (structure, stacking depth) and plans them in mount order. */
export function planOverlays(mounts: readonly OverlayMount[]): OverlayPlan[] {
  validateOverlays(mounts);
  checkStackingDepth(mounts);
  return mountOrder(mounts).map((m) => {
    const service = preMountService(m);
    return {
      mountPoint: m.mountPoint,
      unit: mountUnitName(m.mountPoint),
      ...(m.origin ? { origin: describeOrigin(m.origin) } : {}),
      commands: mountCommands(m),
      fstab: fstabLine(m),
      units: [mountUnit(m), ...(service ? [service] : [])],
    };
  });
}

/** The plan as text: per overlay a `# MOUNTPOINT` header, commands, fstab line and units. */
export function renderPlanText(plans: readonly OverlayPlan[]): string {
  const blocks = plans.map((p) => {
    const parts = [
      `# ${p.mountPoint}${p.origin ? ` (from ${p.origin})` : ''}`,
      ...p.commands.map((c) => c.shell),
      '',
      '# /etc/fstab',
      p.fstab,
      ...p.units.flatMap((u) => ['', `# ${u.name}`, u.text.replace(/\n$/, '')]),
    ];
    return `${parts.join('\n')}\n`;
  });
  return blocks.join('\n');
}
