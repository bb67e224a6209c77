/**
 * The backslash escaping of overlayfs mount options (spec/local-overlay.md §6.1): inside the
 * `-o` string a `lowerdir` path escapes `\`, `:` and `,`; an `upperdir`/`workdir` path escapes
 * `\` and `,` (its `:` needs none). Also the inverse, for option values read back from
 * /proc/self/mountinfo (after octal decoding, see `mountinfo.ts`).
 *
 * @example
 *   lowerdirOption(['/a:b', '/c'])        // '/a\:b:/c'
 *   splitLowerdirOption('/a\\:b:/c')      // { layers: ['/a:b', '/c'], dataLayers: [] }
 */

/** Escapes one `lowerdir` layer path for the option string. */
export function escapeLowerdirPath(path: string): string {
  return path.replace(/[\\:,]/g, (c) => `\\${c}`);
}

/** Escapes an `upperdir` or `workdir` path for the option string. */
export function escapeDirPath(path: string): string {
  return path.replace(/[\\,]/g, (c) => `\\${c}`);
}

/** The `lowerdir=` value for `layers` (top-most first). */
export function lowerdirOption(layers: readonly string[]): string {
  return layers.map(escapeLowerdirPath).join(':');
}

/** Removes the option-string escapes of `upperdir`/`workdir` (`\x` → `x`). */
export function unescapeDirOption(value: string): string {
  return value.replace(/\\(.)/gs, '$1');
}

/**
 * Splits a `lowerdir=` value at unescaped `:` and unescapes each layer. Layers after `::` are
 * data-only layers (kernels since about 6.5).
 */
export function splitLowerdirOption(value: string): { layers: string[]; dataLayers: string[] } {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && i + 1 < value.length) {
      current += value[++i];
    } else if (c === ':') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  const split = parts.indexOf('');
  if (split === -1) return { layers: parts, dataLayers: [] };
  return { layers: parts.slice(0, split), dataLayers: parts.slice(split + 1).filter((p) => p) };
}
