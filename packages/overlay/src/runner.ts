/**
 * The side-effecting part of `strata overlay`: mounts, unmounts and remounts configured
 * overlays by running `mkdir`, `mount` and `umount`, in dependency order, idempotently
 * (an overlay already mounted as configured is left alone; one mounted differently is an
 * error naming the differences, and nothing is changed). Needs root.
 *
 * @example
 *   await mountOverlays(mounts, ['/srv/team/nix/store'])
 *   // [{ mountPoint: '/srv/base/…', outcome: 'mounted', commands: ['mkdir …', 'mount …'] }, …]
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { strataError } from '@strata/core';
import { type MountState, mountState } from './compare.js';
import {
  type FileSystemProbe,
  liveLayerConflicts,
  nodeFileSystem,
  type OverlayMount,
  validateOverlayFileSystem,
  validateOverlays,
} from './model.js';
import { type MountInfoEntry, overlayLayers, parseMountInfo } from './mountinfo.js';
import { checkStackingDepth, mountOrder, unmountOrder, withRelated } from './order.js';
import { mountCommands } from './plan.js';
import { REMOUNT_ENV, remountArgv, shellCommand, umountArgv } from './render.js';
import { mountUnitName } from './systemd-escape.js';

/** Runs one command; rejects with a `StrataError` when it fails. */
export type CommandExecutor = (
  argv: readonly string[],
  env?: Readonly<Record<string, string>>,
) => Promise<void>;

/** Runs `argv` with `execFile`, failing with the command's stderr. */
export const execCommand: CommandExecutor = (argv, env) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv as [string, ...string[]];
    execFile(file, args, { env: { ...process.env, ...env } }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const reason = String(stderr).trim() || error.message;
      reject(
        strataError(
          'STRATA_ERR_OVERLAY_COMMAND_FAILED',
          { command: shellCommand(argv), reason },
          { cause: error },
        ),
      );
    });
  });

/** What the runner uses from the outside world (tests replace parts). */
export interface RunnerOptions {
  /** The effective user id; root (0) is required. Default `process.getuid()`. */
  readonly uid?: number;
  readonly exec?: CommandExecutor;
  /** The current mount table. Default: /proc/self/mountinfo. */
  readonly mountInfo?: () => readonly MountInfoEntry[];
  readonly fs?: FileSystemProbe;
}

/** What happened to one overlay. */
export interface OverlayOutcome {
  readonly mountPoint: string;
  readonly outcome: 'mounted' | 'already mounted' | 'unmounted' | 'not mounted' | 'remounted';
  /** The commands run, as shell lines. */
  readonly commands: readonly string[];
}

/** Reads /proc/self/mountinfo. */
export function readMountInfo(): MountInfoEntry[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/**
 * The configured overlays `names` refer to (all when empty). A name is a mount point or its
 * unit name (`srv-team-nix-store` or `srv-team-nix-store.mount`).
 */
export function selectOverlays<M extends OverlayMount>(
  all: readonly M[],
  names: readonly string[],
): M[] {
  if (names.length === 0) return [...all];
  const selected = new Set<M>();
  for (const name of names) {
    const unit = name.endsWith('.mount') ? name : `${name}.mount`;
    const found = all.find(
      (m) => m.mountPoint === name.replace(/(.)\/+$/, '$1') || mountUnitName(m.mountPoint) === unit,
    );
    if (!found) throw strataError('STRATA_ERR_OVERLAY_UNKNOWN_NAME', { name });
    selected.add(found);
  }
  return all.filter((m) => selected.has(m));
}

function requireRoot(command: string, options: RunnerOptions): void {
  const uid = options.uid ?? process.getuid?.();
  if (uid !== 0) throw strataError('STRATA_ERR_OVERLAY_NOT_ROOT', { command });
}

function statesOf(
  targets: readonly OverlayMount[],
  options: RunnerOptions,
): Map<OverlayMount, MountState> {
  const mounts = (options.mountInfo ?? readMountInfo)();
  const states = new Map<OverlayMount, MountState>();
  for (const m of targets) {
    const state = mountState(m, mounts);
    if (state.state === 'different') {
      throw strataError('STRATA_ERR_OVERLAY_MOUNTED_DIFFERENTLY', {
        mountPoint: m.mountPoint,
        difference: state.differences.join('; '),
      });
    }
    states.set(m, state);
  }
  return states;
}

async function run(
  argvs: readonly (readonly string[])[],
  options: RunnerOptions,
  env?: Record<string, string>,
) {
  const exec = options.exec ?? execCommand;
  const lines: string[] = [];
  for (const argv of argvs) {
    await exec(argv, env);
    lines.push(shellCommand(argv));
  }
  return lines;
}

/**
 * Mounts the overlays `names` (all when empty) and the overlays they stack on, lower ones
 * first. Everything is checked before the first command runs.
 */
export async function mountOverlays(
  all: readonly OverlayMount[],
  names: readonly string[] = [],
  options: RunnerOptions = {},
): Promise<OverlayOutcome[]> {
  validateOverlays(all);
  requireRoot('mount', options);
  const targets = mountOrder(withRelated(selectOverlays(all, names), all, 'below'));
  checkStackingDepth(targets);
  const states = statesOf(targets, options);
  // Paths other mounts provide: their mount points, and their upper layers (created by their
  // mkdir step; a flat mount lists the upper layers below it as lowerdirs).
  const others = (m: OverlayMount) =>
    all
      .filter((o) => o !== m)
      .flatMap((o) => [o.mountPoint, ...(o.upperdir === undefined ? [] : [o.upperdir])]);
  for (const m of targets) {
    if (states.get(m)?.state === 'unmounted')
      validateOverlayFileSystem(m, others(m), options.fs ?? nodeFileSystem);
  }
  // No layer may be written by one mount while another uses it (a flat level over levels
  // that are mounted too): OverlayFS would only warn, and then behave in undefined ways.
  const live = (options.mountInfo ?? readMountInfo)()
    .filter((e) => e.fsType === 'overlay')
    .map((e) => ({ mountPoint: e.mountPoint, ...overlayLayers(e.superOptions) }));
  const toMount = targets.filter((m) => states.get(m)?.state === 'unmounted');
  for (const m of toMount) {
    const conflicts = liveLayerConflicts(m, [...live, ...toMount.filter((o) => o !== m)]);
    if (conflicts.length > 0) {
      throw strataError(
        'STRATA_ERR_OVERLAY_LAYER_IN_USE',
        { mountPoint: m.mountPoint, conflicts: conflicts.join('; ') },
        {
          hint: 'a flat mount freezes the levels below it: unmount them (or give them check-mount=false and leave them unmounted) first',
        },
      );
    }
  }
  const outcomes: OverlayOutcome[] = [];
  for (const m of targets) {
    if (states.get(m)?.state === 'mounted') {
      outcomes.push({ mountPoint: m.mountPoint, outcome: 'already mounted', commands: [] });
      continue;
    }
    const commands = await run(
      mountCommands(m).map((c) => c.argv),
      options,
    );
    outcomes.push({ mountPoint: m.mountPoint, outcome: 'mounted', commands });
  }
  return outcomes;
}

/** Unmounts the overlays `names` (all when empty) and those stacked on them, upper ones first. */
export async function umountOverlays(
  all: readonly OverlayMount[],
  names: readonly string[] = [],
  options: RunnerOptions = {},
): Promise<OverlayOutcome[]> {
  validateOverlays(all);
  requireRoot('umount', options);
  const targets = unmountOrder(withRelated(selectOverlays(all, names), all, 'above'));
  const states = statesOf(targets, options);
  const outcomes: OverlayOutcome[] = [];
  for (const m of targets) {
    if (states.get(m)?.state === 'unmounted') {
      outcomes.push({ mountPoint: m.mountPoint, outcome: 'not mounted', commands: [] });
      continue;
    }
    const commands = await run([umountArgv(m)], options);
    outcomes.push({ mountPoint: m.mountPoint, outcome: 'unmounted', commands });
  }
  return outcomes;
}

/**
 * Remounts the overlays `names` (all when empty), lower ones first, so that each forgets
 * cached lookups after its layers changed (spec/local-overlay.md §6.7, §6.8). This is the
 * remount hook Strata recommends for overlay stores. Each must be mounted as configured.
 */
export async function remountOverlays(
  all: readonly OverlayMount[],
  names: readonly string[] = [],
  options: RunnerOptions = {},
): Promise<OverlayOutcome[]> {
  validateOverlays(all);
  requireRoot('remount', options);
  const targets = mountOrder(selectOverlays(all, names));
  const states = statesOf(targets, options);
  for (const m of targets) {
    if (states.get(m)?.state === 'unmounted') {
      throw strataError('STRATA_ERR_OVERLAY_NOT_MOUNTED', { mountPoint: m.mountPoint });
    }
  }
  const outcomes: OverlayOutcome[] = [];
  for (const m of targets) {
    const commands = await run([remountArgv(m)], options, REMOUNT_ENV);
    outcomes.push({ mountPoint: m.mountPoint, outcome: 'remounted', commands });
  }
  return outcomes;
}

/** One line of `strata overlay check`. */
export interface OverlayCheck {
  readonly mountPoint: string;
  readonly state: 'mounted' | 'unmounted' | 'different';
  readonly differences: readonly string[];
}

/** Compares every configured overlay (in mount order) with the live mount table. */
export function checkOverlays(
  all: readonly OverlayMount[],
  options: RunnerOptions = {},
): OverlayCheck[] {
  validateOverlays(all);
  const mounts = (options.mountInfo ?? readMountInfo)();
  return mountOrder(all).map((m) => {
    const state = mountState(m, mounts);
    return {
      mountPoint: m.mountPoint,
      state: state.state,
      differences: state.state === 'different' ? state.differences : [],
    };
  });
}
