/**
 * The overlay mount model (spec/local-overlay.md §8.1) and its validation (§8.2). An entry of
 * the Strata config file's `overlays:` list becomes an {@link OverlayMount}; validation throws
 * a `StrataError` naming the mount point for the first problem found.
 *
 * Structural rules (pure): paths absolute, no newline or NUL in them, the mount point
 * normalized (no `//`, `.`, `..`, trailing `/`); `upperdir` and `workdir`
 * both set or both unset; a read-only overlay (no `upperdir`) has at least two lower layers;
 * `upperdir` and `workdir` are separate subtrees and do not contain the mount point; each mount
 * point is configured once. File-system rules (through a {@link FileSystemProbe}): lower layers
 * exist, unless they lie under another entry's mount point (mounted first, see `order.ts`);
 * `workdir` is on the same file system as `upperdir` and empty.
 *
 * `:` `,` and `\` in paths are allowed: they are escaped as the kernel expects when the mount
 * options are rendered (`option-escape.ts`).
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import { describeOrigin, type SettingOrigin, strataError } from '@strata/core';

/** One overlay mount, as configured. */
export interface OverlayMount {
  /** Where the merged view is mounted (absolute, no trailing `/`). */
  readonly mountPoint: string;
  /** The mount source shown in mount tables; `overlay` unless configured (Nix checks it). */
  readonly device: string;
  /** Lower layers, top-most first. */
  readonly lowerdir: readonly string[];
  /** The writable layer, or undefined for a read-only overlay. */
  readonly upperdir?: string;
  /** The kernel's scratch directory; set exactly when `upperdir` is. */
  readonly workdir?: string;
  /** Where the entry was defined, for messages. */
  readonly origin?: SettingOrigin;
}

/** An `overlays:` entry as the configuration loader returns it. */
export interface OverlayMountInput {
  readonly mountPoint: string;
  readonly lowerdir: readonly string[];
  readonly upperdir?: string | null;
  readonly workdir?: string | null;
  readonly device?: string;
  readonly origin?: SettingOrigin;
}

/** Converts a configuration entry to the model (null and missing mean unset). */
export function overlayMountFromConfig(input: OverlayMountInput): OverlayMount {
  return {
    mountPoint: input.mountPoint,
    device: input.device ?? 'overlay',
    lowerdir: [...input.lowerdir],
    ...(input.upperdir == null ? {} : { upperdir: input.upperdir }),
    ...(input.workdir == null ? {} : { workdir: input.workdir }),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

/** What validation needs to know about the file system. */
export interface FileSystemProbe {
  /** True when `path` is an existing directory (following symlinks). */
  isDirectory(path: string): boolean;
  /** The device of `path`, or of its nearest existing ancestor when it does not exist yet. */
  deviceOf(path: string): number | bigint;
  /** The entries of directory `path`, or undefined when it does not exist. */
  entries(path: string): readonly string[] | undefined;
}

/** The probe on the real file system. */
export const nodeFileSystem: FileSystemProbe = {
  isDirectory: (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false,
  deviceOf(path) {
    let p = path;
    for (;;) {
      const st = statSync(p, { bigint: true, throwIfNoEntry: false });
      if (st) return st.dev;
      p = dirname(p);
    }
  },
  entries(path) {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
};

/** True when `path` is `dir` or lies inside it (both normalized absolute paths). */
export function isAtOrUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

// What the kernel leaves in a workdir it has used; reusing the workdir of an earlier mount of
// the same overlay is normal (remount after umount), so these do not count as content.
const KERNEL_WORKDIR_ENTRIES = new Set(['work', 'index']);

function hintOf(m: OverlayMount): { hint?: string } {
  return m.origin ? { hint: `defined at ${describeOrigin(m.origin)}` } : {};
}

/** Checks the rules that need no file system; throws the first violation. */
export function validateOverlayStructure(m: OverlayMount): void {
  const mountPoint = m.mountPoint;
  const paths: Array<[string, string]> = [
    ['mountPoint', m.mountPoint],
    ...m.lowerdir.map((p, i): [string, string] => [`lowerdir[${i}]`, p]),
    ...(m.upperdir === undefined ? [] : [['upperdir', m.upperdir] as [string, string]]),
    ...(m.workdir === undefined ? [] : [['workdir', m.workdir] as [string, string]]),
  ];
  for (const [key, path] of paths) {
    if (!path.startsWith('/')) {
      throw strataError('STRATA_ERR_OVERLAY_NOT_ABSOLUTE', { mountPoint, key, path }, hintOf(m));
    }
    if (/[\n\0]/.test(path)) {
      throw strataError('STRATA_ERR_OVERLAY_BAD_PATH', { mountPoint, key, path }, hintOf(m));
    }
  }
  // The kernel lists mount points normalized; an unnormalized one would never match.
  const normalized = posix.normalize(mountPoint).replace(/(.)\/$/, '$1');
  if (normalized !== mountPoint) {
    throw strataError('STRATA_ERR_OVERLAY_NOT_NORMALIZED', { mountPoint, normalized }, hintOf(m));
  }
  if ((m.upperdir === undefined) !== (m.workdir === undefined)) {
    throw strataError('STRATA_ERR_OVERLAY_UPPER_WITHOUT_WORK', { mountPoint }, hintOf(m));
  }
  if (m.upperdir === undefined && m.lowerdir.length < 2) {
    throw strataError('STRATA_ERR_OVERLAY_READ_ONLY_ONE_LOWER', { mountPoint }, hintOf(m));
  }
  if (m.upperdir !== undefined && m.workdir !== undefined) {
    const { upperdir, workdir } = m;
    const overlap = (reason: string) =>
      strataError('STRATA_ERR_OVERLAY_OVERLAPPING', { mountPoint, reason }, hintOf(m));
    if (isAtOrUnder(workdir, upperdir) || isAtOrUnder(upperdir, workdir)) {
      throw overlap(`upperdir ${upperdir} and workdir ${workdir} must be separate subtrees`);
    }
    for (const [key, dir] of [
      ['upperdir', upperdir],
      ['workdir', workdir],
    ] as const) {
      if (isAtOrUnder(mountPoint, dir)) {
        throw overlap(`the mount point must not be inside the ${key} ${dir}`);
      }
    }
  }
}

/**
 * Checks the file-system rules for `m`; `others` are the mount points of the other configured
 * overlays (a lower layer under one of them appears only once that one is mounted).
 */
export function validateOverlayFileSystem(
  m: OverlayMount,
  others: readonly string[] = [],
  fs: FileSystemProbe = nodeFileSystem,
): void {
  const mountPoint = m.mountPoint;
  for (const path of m.lowerdir) {
    if (others.some((o) => isAtOrUnder(path, o))) continue;
    if (!fs.isDirectory(path)) {
      throw strataError('STRATA_ERR_OVERLAY_LOWERDIR_MISSING', { mountPoint, path }, hintOf(m));
    }
  }
  if (m.upperdir !== undefined && m.workdir !== undefined) {
    if (fs.deviceOf(m.workdir) !== fs.deviceOf(m.upperdir)) {
      throw strataError(
        'STRATA_ERR_OVERLAY_WORKDIR_OTHER_FS',
        { mountPoint, workdir: m.workdir, upperdir: m.upperdir },
        hintOf(m),
      );
    }
    const content = (fs.entries(m.workdir) ?? []).filter((e) => !KERNEL_WORKDIR_ENTRIES.has(e));
    if (content.length > 0) {
      throw strataError(
        'STRATA_ERR_OVERLAY_WORKDIR_NOT_EMPTY',
        { mountPoint, path: m.workdir },
        hintOf(m),
      );
    }
  }
}

/** Validates a whole configuration: every entry's structure, then unique mount points. */
export function validateOverlays(mounts: readonly OverlayMount[]): void {
  const seen = new Set<string>();
  // Upper and work dirs are each one mount's own: the kernel's behaviour is undefined when
  // two mounts share one (it only warns).
  const owners = new Map<string, [OverlayMount, string]>();
  for (const m of mounts) {
    validateOverlayStructure(m);
    if (seen.has(m.mountPoint)) {
      throw strataError('STRATA_ERR_OVERLAY_DUPLICATE', { mountPoint: m.mountPoint }, hintOf(m));
    }
    seen.add(m.mountPoint);
    for (const [key, dir] of [
      ['upperdir', m.upperdir],
      ['workdir', m.workdir],
    ] as const) {
      if (dir === undefined) continue;
      const other = owners.get(dir);
      if (other !== undefined) {
        throw strataError(
          'STRATA_ERR_OVERLAY_OVERLAPPING',
          {
            mountPoint: m.mountPoint,
            reason: `${key} ${dir} is also the ${other[1]} of overlay ${other[0].mountPoint}`,
          },
          hintOf(m),
        );
      }
      owners.set(dir, [m, key]);
    }
  }
}

/**
 * Layers of `m` that a live overlay mount other than one on `m`'s own mount point uses in a
 * way OverlayFS forbids while both are mounted: `m`'s upper or work dir in any role there, or
 * `m`'s lower layers as that mount's upper or work dir (a flat mount over levels that are
 * still mounted). One line per conflict, for the error.
 */
export function liveLayerConflicts(
  m: OverlayMount,
  mounts: readonly {
    mountPoint: string;
    lowerdir: readonly string[];
    upperdir?: string;
    workdir?: string;
  }[],
): string[] {
  const conflicts: string[] = [];
  const own = [m.upperdir, m.workdir].filter((d): d is string => d !== undefined);
  for (const o of mounts) {
    if (o.mountPoint === m.mountPoint) continue;
    const theirsWritable = [o.upperdir, o.workdir].filter((d): d is string => d !== undefined);
    for (const d of own) {
      if (theirsWritable.includes(d) || o.lowerdir.includes(d)) {
        conflicts.push(`${d} is in use by the overlay mounted on ${o.mountPoint}`);
      }
    }
    for (const d of m.lowerdir) {
      if (theirsWritable.includes(d)) {
        conflicts.push(
          `lowerdir ${d} is the writable layer of the overlay mounted on ${o.mountPoint}`,
        );
      }
    }
  }
  return conflicts;
}
