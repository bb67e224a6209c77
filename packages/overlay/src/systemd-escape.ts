/**
 * Unit-name escaping of paths exactly as `systemd-escape --path` does it (systemd 252,
 * spec/local-overlay.md §8.6): drop empty and `.` components, `/` → `-`, the root → `-`;
 * ASCII letters, digits, `:`, `_` and `.` stay (a leading `.` becomes `\x2e`); every other
 * UTF-8 byte becomes `\xNN` in lower-case hex.
 *
 * @example
 *   systemdEscapePath('/mnt/a-b')  // 'mnt-a\\x2db'  (unit mnt-a\x2db.mount)
 *   mountUnitName('/nix/store')    // 'nix-store.mount'
 */

/** Thrown for a path `systemd-escape --path` refuses (a `..` component). */
export class SystemdEscapeError extends Error {}

function isPlain(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x3a ||
    byte === 0x5f ||
    byte === 0x2e
  );
}

/** `systemd-escape --path PATH` (without the trailing newline). */
export function systemdEscapePath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new SystemdEscapeError(
      `Input '${path}' is not a normalized file system path, failed to escape.`,
    );
  }
  if (parts.length === 0) return '-';
  const bytes = Buffer.from(parts.join('/'), 'utf8');
  let out = '';
  bytes.forEach((b, i) => {
    if (b === 0x2f) out += '-';
    else if (isPlain(b) && !(i === 0 && b === 0x2e)) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  });
  return out;
}

/** The name of the mount unit for `mountPoint`, e.g. `mnt-a\x2db.mount`. */
export function mountUnitName(mountPoint: string): string {
  return `${systemdEscapePath(mountPoint)}.mount`;
}
