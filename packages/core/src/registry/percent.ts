/**
 * Percent-encoding as store references use it (RFC 3986, spec/config-and-urls.md §1.4):
 * encoding keeps the unreserved characters plus a per-component set and writes everything else
 * as `%` + two upper-case hex digits of each UTF-8 byte; decoding is strict about escapes.
 *
 * @example
 *   percentEncode('/a b=c', ':@/?')   // '/a%20b%3Dc'
 *   percentDecode('%E5%86%86')        // '円'
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const HEX = '0123456789ABCDEF';

/** Encodes the UTF-8 bytes of `text`, keeping unreserved characters and those in `keep`. */
export function percentEncode(text: string | Uint8Array, keep = ''): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && (UNRESERVED.test(c) || keep.includes(c))) out += c;
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** Why an escape is malformed, or undefined when every `%` starts a valid `%XX`. */
export function badPercentEscape(text: string): string | undefined {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i + 1)) {
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      return hex.length < 2 && i + 3 > text.length
        ? `incomplete percent escape '${text.slice(i)}' at the end`
        : `bad percent escape '${text.slice(i, i + 3)}'`;
    }
  }
  return undefined;
}

/** Decodes `%XX` escapes to bytes (callers check {@link badPercentEscape} first). */
export function percentDecodeBytes(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', start)) {
    parts.push(Buffer.from(text.slice(start, i), 'utf8'));
    parts.push(Buffer.from([Number.parseInt(text.slice(i + 1, i + 3), 16)]));
    start = i + 3;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** Decodes `%XX` escapes and reads the bytes as UTF-8. */
export function percentDecode(text: string): string {
  return percentDecodeBytes(text).toString('utf8');
}
