/**
 * `strata overlay …`: overlay mounts from the `overlays:` list of the Strata config file
 * (spec/local-overlay.md §6–§8).
 *
 * - `plan`: in mount order, per overlay: `mkdir` commands, the exact `mount` command, the
 *   /etc/fstab line and the systemd units (`<escaped>.mount`, `rw-<escaped>.service`).
 *   File-system problems (missing lower layers, a non-empty workdir) are warnings here.
 * - `mount|umount|remount [NAME…]` (root): idempotent, in dependency order; NAME is a mount
 *   point or its unit name. `remount` is the remount hook Strata recommends for overlay stores.
 * - `check`: compares /proc/self/mountinfo with the configuration; fails unless all match.
 */
import { loadConfiguration } from '@strata/config';
import { strataError, stringifyJson } from '@strata/core';
import {
  checkOverlays,
  mountOverlays,
  type OverlayMount,
  type OverlayOutcome,
  overlayMountFromConfig,
  planOverlays,
  remountOverlays,
  renderPlanText,
  umountOverlays,
  validateOverlayFileSystem,
} from '@strata/overlay';
import type { Command } from 'commander';
import { type CliContext, println, warn } from '../context.js';

async function configuredOverlays(ctx: CliContext): Promise<OverlayMount[]> {
  const config = await loadConfiguration({ env: ctx.env, cwd: ctx.cwd, flags: ctx.flags });
  for (const w of config.warnings) warn(ctx, w);
  return config.overlays.map(overlayMountFromConfig);
}

function report(ctx: CliContext, outcomes: readonly OverlayOutcome[]): void {
  if (ctx.flags.json) {
    println(ctx, stringifyJson(outcomes));
    return;
  }
  for (const o of outcomes) {
    if (!ctx.flags.quiet) println(ctx, `${o.outcome}: ${o.mountPoint}`);
    if (ctx.flags.verbose > 0) for (const c of o.commands) println(ctx, `  $ ${c}`);
  }
}

/** Registers `overlay plan|mount|umount|remount|check`. */
export function register(program: Command, ctx: CliContext): void {
  const overlay = program
    .command('overlay')
    .description('overlay mounts from the overlays: list of the Strata config file');

  overlay
    .command('plan')
    .description('print what mounting would do: commands, the fstab line, systemd units')
    .action(async () => {
      const mounts = await configuredOverlays(ctx);
      const plans = planOverlays(mounts);
      for (const m of mounts) {
        try {
          validateOverlayFileSystem(
            m,
            mounts.filter((o) => o !== m).map((o) => o.mountPoint),
          );
        } catch (e) {
          warn(ctx, (e as Error).message);
        }
      }
      if (ctx.flags.json) println(ctx, stringifyJson(plans));
      else ctx.stdout.write(renderPlanText(plans));
    });

  const change = (
    name: 'mount' | 'umount' | 'remount',
    description: string,
    run: typeof mountOverlays,
  ) =>
    overlay
      .command(name)
      .description(description)
      .argument('[names...]', 'mount points or unit names (default: all)')
      .action(async (names: string[]) => {
        report(ctx, await run(await configuredOverlays(ctx), names));
      });
  change(
    'mount',
    'mount the overlays (and those they stack on), lower ones first; needs root',
    mountOverlays,
  );
  change(
    'umount',
    'unmount the overlays (and those stacked on them), upper ones first; needs root',
    umountOverlays,
  );
  change(
    'remount',
    'remount the overlays so they see changes of their layers (the remount hook for overlay stores); needs root',
    remountOverlays,
  );

  overlay
    .command('check')
    .description('compare the live mounts (/proc/self/mountinfo) with the configuration')
    .action(async () => {
      const checks = checkOverlays(await configuredOverlays(ctx));
      if (ctx.flags.json) println(ctx, stringifyJson(checks));
      else {
        for (const c of checks) {
          const state = c.state === 'different' ? 'mounted differently' : c.state;
          const detail = c.differences.length > 0 ? `: ${c.differences.join('; ')}` : '';
          println(ctx, `${state}: ${c.mountPoint}${detail}`);
        }
      }
      const bad = checks.filter((c) => c.state !== 'mounted').length;
      if (bad > 0) {
        throw strataError('STRATA_ERR_OVERLAY_CHECK_FAILED', { count: bad, total: checks.length });
      }
    });
}
