/**
 * Reads /proc/self/mountinfo (spec/local-overlay.md §6.3): one line per mount,
 * `id parent major:minor root mountpoint per-mount-options [optional…] - fstype source
 * super-options`, where space, tab, newline and backslash (and, in option values, comma)
 * appear as octal escapes (`\040`). Overlay options are decoded to their layer lists.
 *
 * @example
 *   const mounts = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
 *   overlayLayers(mounts.at(-1)!.superOptions)  // { lowerdir: ['/l'], upperdir: '/u', … }
 */
import { splitLowerdirOption, unescapeDirOption } from './option-escape.js';

/** One line of mountinfo, with the escaped fields decoded. */
export interface MountInfoEntry {
  readonly id: number;
  readonly parentId: number;
  readonly device: string;
  readonly root: string;
  readonly mountPoint: string;
  readonly mountOptions: string;
  readonly fsType: string;
  readonly source: string;
  /** The super-block options, split at the separating commas and octal-decoded. */
  readonly superOptions: readonly string[];
}

/** Decodes the kernel's `\NNN` octal escapes. */
export function decodeOctalEscapes(field: string): string {
  return field.replace(/\\([0-3][0-7]{2})/g, (_, o: string) =>
    String.fromCharCode(Number.parseInt(o, 8)),
  );
}

/** Parses the whole mountinfo text; lines that do not have the mountinfo shape are skipped. */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash === -1 || fields.length < dash + 4) continue;
    entries.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      device: fields[2] as string,
      root: decodeOctalEscapes(fields[3] as string),
      mountPoint: decodeOctalEscapes(fields[4] as string),
      mountOptions: fields[5] as string,
      fsType: decodeOctalEscapes(fields[dash + 1] as string),
      source: decodeOctalEscapes(fields[dash + 2] as string),
      // A literal comma only ever separates options: commas inside values show as \054.
      superOptions: (fields[dash + 3] as string).split(',').map(decodeOctalEscapes),
    });
  }
  return entries;
}

/** The layers of an overlay mount as the kernel shows them, unescaped. */
export interface OverlayLayers {
  readonly lowerdir: readonly string[];
  readonly dataLayers: readonly string[];
  readonly upperdir?: string;
  readonly workdir?: string;
  readonly readOnly: boolean;
}

/**
 * The layers named by an overlay's super-block options: classic `lowerdir=a:b` (escaped) or
 * new-API `lowerdir+=a` / `datadir+=d` (raw), `upperdir=`, `workdir=`.
 */
export function overlayLayers(superOptions: readonly string[]): OverlayLayers {
  const lowerdir: string[] = [];
  const dataLayers: string[] = [];
  let upperdir: string | undefined;
  let workdir: string | undefined;
  for (const option of superOptions) {
    const eq = option.indexOf('=');
    const key = eq === -1 ? option : option.slice(0, eq);
    const value = option.slice(eq + 1);
    if (key === 'lowerdir') {
      const split = splitLowerdirOption(value);
      lowerdir.push(...split.layers);
      dataLayers.push(...split.dataLayers);
    } else if (key === 'lowerdir+') lowerdir.push(value);
    else if (key === 'datadir+') dataLayers.push(value);
    else if (key === 'upperdir') upperdir = unescapeDirOption(value);
    else if (key === 'workdir') workdir = unescapeDirOption(value);
  }
  return {
    lowerdir,
    dataLayers,
    ...(upperdir === undefined ? {} : { upperdir }),
    ...(workdir === undefined ? {} : { workdir }),
    readOnly: superOptions.includes('ro'),
  };
}

/** The visible (last-listed) mount on `mountPoint`, if any. */
export function topMountAt(
  mounts: readonly MountInfoEntry[],
  mountPoint: string,
): MountInfoEntry | undefined {
  return mounts.findLast((m) => m.mountPoint === mountPoint);
}
