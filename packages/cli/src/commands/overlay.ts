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
 *
 * With `--store URL` (a `local-overlay` store, its lower stores to any depth), the mounts are
 * derived from the store chain instead (`@strata/overlay` `storeChainMounts`): nested while the
 * kernel allows, flat beyond it or with `--layout flat`.
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
  type StoreChainLayout,
  storeChainMounts,
  umountOverlays,
  validateOverlayFileSystem,
} from '@strata/overlay';
import { isOverlayConfig, storeLevel } from '@strata/plugin-local-overlay';
import type { Command } from 'commander';
import { type CliContext, println, warn } from '../context.js';
import { loadStoreEnvironment } from '../store-registry.js';

/**
 * The mounts to work on: with `--store`, the ones the chain of overlay stores it names needs
 * (derived, `--layout` deciding nested or flat); otherwise the config file's `overlays:`.
 */
async function configuredOverlays(
  ctx: CliContext,
  layout: StoreChainLayout,
): Promise<OverlayMount[]> {
  if (ctx.flags.store !== undefined) {
    const environment = await loadStoreEnvironment(ctx);
    const config = environment.registry.resolve(ctx.flags.store, environment.openOptions);
    if (!isOverlayConfig(config)) {
      throw strataError('STRATA_ERR_CLI_USAGE', {
        message: `store '${ctx.flags.store}' is not an overlay store: it needs no mounts`,
      });
    }
    const derived = storeChainMounts(storeLevel(config, config.get<string>('real')), layout, {
      kind: 'flag',
      flag: `--store ${ctx.flags.store}`,
    });
    // A mount point the config file's `overlays:` lists is mounted as listed there (its own
    // work dir, say): one configuration, whichever way the command names it.
    const listed = new Map(
      environment.config.overlays.map((o) => [o.mountPoint, overlayMountFromConfig(o)]),
    );
    return derived.map((m) => listed.get(m.mountPoint) ?? m);
  }
  const config = await loadConfiguration({ env: ctx.env, cwd: ctx.cwd, flags: ctx.flags });
  for (const w of config.warnings) warn(ctx, w);
  return config.overlays.map(overlayMountFromConfig);
}

const LAYOUTS: readonly StoreChainLayout[] = ['auto', 'nested', 'flat'];

function layoutOption(value: string): StoreChainLayout {
  if (!(LAYOUTS as readonly string[]).includes(value)) {
    throw strataError('STRATA_ERR_CLI_USAGE', {
      message: `invalid layout '${value}'; expected auto, nested or flat`,
    });
  }
  return value as StoreChainLayout;
}

const LAYOUT_HELP =
  'with --store: mount the overlay levels nested (each on the merged dir below; the kernel allows two), flat (on the upper layers below and the base store dir), or auto (nested, then flat)';

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
    .option('--layout <layout>', LAYOUT_HELP, layoutOption, 'auto' as StoreChainLayout)
    .action(async (opts: { layout: StoreChainLayout }) => {
      const mounts = await configuredOverlays(ctx, opts.layout);
      const plans = planOverlays(mounts);
      for (const m of mounts) {
        try {
          validateOverlayFileSystem(
            m,
            mounts
              .filter((o) => o !== m)
              .flatMap((o) => [o.mountPoint, ...(o.upperdir === undefined ? [] : [o.upperdir])]),
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
      .option('--layout <layout>', LAYOUT_HELP, layoutOption, 'auto' as StoreChainLayout)
      .action(async (names: string[], opts: { layout: StoreChainLayout }) => {
        report(ctx, await run(await configuredOverlays(ctx, opts.layout), names));
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
    .option('--layout <layout>', LAYOUT_HELP, layoutOption, 'auto' as StoreChainLayout)
    .action(async (opts: { layout: StoreChainLayout }) => {
      const checks = checkOverlays(await configuredOverlays(ctx, opts.layout));
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
