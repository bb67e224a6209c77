/**
 * What an overlay mount looks like to other tools (spec/local-overlay.md §8.4): the `mount`
 * command, the /etc/fstab line, and the systemd units (the `.mount` unit and the one-shot
 * `rw-….service` that creates the upper and work directories before it).
 *
 * @example
 *   mountOptions(m)   // 'lowerdir=/lower1:/lower2,upperdir=/persist/upper,workdir=/persist/work'
 *   fstabLine(m)      // 'overlay /mnt/a-b overlay lowerdir=…,x-systemd.requires-mounts-for=… 0 0'
 */
import type { OverlayMount } from './model.js';
import { escapeDirPath, lowerdirOption } from './option-escape.js';
import { mountUnitName, systemdEscapePath } from './systemd-escape.js';

/** The kernel options: `lowerdir=…` (escaped, top-most first), then `upperdir=…,workdir=…`. */
export function mountOptions(m: OverlayMount): string {
  const options = [`lowerdir=${lowerdirOption(m.lowerdir)}`];
  if (m.upperdir !== undefined && m.workdir !== undefined) {
    options.push(`upperdir=${escapeDirPath(m.upperdir)}`, `workdir=${escapeDirPath(m.workdir)}`);
  }
  return options.join(',');
}

/** Every directory the mount needs mounted first: lower layers, then upper and work dirs. */
export function requiredPaths(m: OverlayMount): string[] {
  return [...m.lowerdir, ...(m.upperdir ? [m.upperdir] : []), ...(m.workdir ? [m.workdir] : [])];
}

/** `mkdir -p -m 0755 UPPER WORK`, or undefined for a read-only overlay. */
export function mkdirArgv(m: OverlayMount): string[] | undefined {
  if (m.upperdir === undefined || m.workdir === undefined) return undefined;
  return ['mkdir', '-p', '-m', '0755', m.upperdir, m.workdir];
}

/** `mkdir -p MOUNTPOINT`: systemd creates mount points itself; other tools must. */
export function mountPointArgv(m: OverlayMount): string[] {
  return ['mkdir', '-p', m.mountPoint];
}

/** `mount -t overlay DEVICE -o OPTIONS MOUNTPOINT`. */
export function mountArgv(m: OverlayMount): string[] {
  return ['mount', '-t', 'overlay', m.device, '-o', mountOptions(m), m.mountPoint];
}

/** `umount MOUNTPOINT`. */
export function umountArgv(m: OverlayMount): string[] {
  return ['umount', m.mountPoint];
}

/**
 * `mount -o remount MOUNTPOINT`: a parameterless reconfigure, which makes the overlay forget
 * cached lookups (§6.7). Run it with `LIBMOUNT_FORCE_MOUNT2=always` (see {@link REMOUNT_ENV}).
 */
export function remountArgv(m: OverlayMount): string[] {
  return ['mount', '-o', 'remount', m.mountPoint];
}

/** util-linux ≥ 2.39 re-sends the options on remount, which overlayfs refuses (§6.7). */
export const REMOUNT_ENV = { LIBMOUNT_FORCE_MOUNT2: 'always' } as const;

/** Quotes one word for a POSIX shell (single quotes, only when needed). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line for a POSIX shell. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** The fstab encoding of a field: space, tab, newline and backslash as octal escapes. */
export function fstabEscape(field: string): string {
  return field.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** The /etc/fstab line (dump and pass 0: an overlay is never fsck'ed). */
export function fstabLine(m: OverlayMount): string {
  // systemd's fstab option splitter honours `\,` (and `\\`) inside x-systemd values.
  const requires = requiredPaths(m).map(
    (p) => `x-systemd.requires-mounts-for=${p.replace(/[\\,]/g, (c) => `\\${c}`)}`,
  );
  const options = [mountOptions(m), ...requires].join(',');
  const fields = [m.device, m.mountPoint, 'overlay', options].map(fstabEscape);
  return `${fields.join(' ')} 0 0`;
}

/** `%` starts a specifier in unit files. */
function unitValue(text: string): string {
  return text.replace(/%/g, '%%');
}

/** A word in a unit file list setting: quoted (C-style escapes) when it would split. */
function unitWord(word: string, always = false): string {
  const escaped = unitValue(word);
  if (!always && /^[^\s"'\\]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\t/g, '\\t')}"`;
}

/** The name of the pre-mount service: `rw-<escaped mount point>.service`. */
export function preMountServiceName(m: OverlayMount): string {
  return `rw-${systemdEscapePath(m.mountPoint)}.service`;
}

/** A rendered unit file. */
export interface UnitFile {
  readonly name: string;
  readonly text: string;
}

/** The `.mount` unit, equivalent to what systemd-fstab-generator makes of {@link fstabLine}. */
export function mountUnit(m: OverlayMount): UnitFile {
  const service = m.upperdir === undefined ? undefined : preMountServiceName(m);
  const lines = [
    '[Unit]',
    `Description=Overlay file system on ${unitValue(m.mountPoint)}`,
    `RequiresMountsFor=${requiredPaths(m)
      .map((p) => unitWord(p))
      .join(' ')}`,
    ...(service ? [`Requires=${service}`, `After=${service}`] : []),
    'Before=local-fs.target',
    '',
    '[Mount]',
    `What=${unitValue(m.device)}`,
    `Where=${m.mountPoint}`,
    'Type=overlay',
    `Options=${unitValue(mountOptions(m))}`,
    '',
    '[Install]',
    'RequiredBy=local-fs.target',
  ];
  return { name: mountUnitName(m.mountPoint), text: `${lines.join('\n')}\n` };
}

/** The one-shot service creating upper and work dirs, or undefined for a read-only overlay. */
export function preMountService(m: OverlayMount): UnitFile | undefined {
  const argv = mkdirArgv(m);
  if (!argv || m.upperdir === undefined || m.workdir === undefined) return undefined;
  const unit = mountUnitName(m.mountPoint);
  const lines = [
    '[Unit]',
    `Description=Create the upper and work directories of the overlay on ${unitValue(m.mountPoint)}`,
    'DefaultDependencies=no',
    `RequiresMountsFor=${[m.upperdir, m.workdir].map((p) => unitWord(p)).join(' ')}`,
    `Before=${unit}`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${argv
      .slice(0, 4)
      .concat(argv.slice(4).map((p) => unitWord(p, true).replace(/\$/g, '$$$$')))
      .join(' ')}`,
    '',
    '[Install]',
    `RequiredBy=${unit}`,
  ];
  return { name: preMountServiceName(m), text: `${lines.join('\n')}\n` };
}
