/**
 * Helpers for tests (not exported from the package): build NAR bytes token by token, including
 * malformed ones, and collect streams.
 *
 * @example
 *   narTokens('nix-archive-1', '(', 'type', 'regular', 'contents', 'hi', ')');
 *   narTokens('nix-archive-1', '(', { u64: 2 ** 40 });           // a raw length prefix
 *   narTokens({ str: 'x', pad: [0, 0, 1, 0, 0, 0, 0] });       // bad padding
 */
import { paddingOf, utf8 } from './format.js';
import type { NarTree } from './tree.js';
import { writeU64 } from './write.js';

/** One piece of a hand-made NAR. */
export type NarToken =
  | string
  | Uint8Array
  | { readonly u64: number }
  | { readonly raw: Uint8Array | readonly number[] }
  | { readonly str: string | Uint8Array; readonly pad: readonly number[] };

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, n);
  return b;
}

function piece(t: NarToken): Uint8Array[] {
  if (typeof t === 'string') return piece(utf8(t));
  if (t instanceof Uint8Array) {
    return [u64(t.length), t, new Uint8Array(paddingOf(t.length))];
  }
  if ('u64' in t) return [u64(t.u64)];
  if ('raw' in t) return [Uint8Array.from(t.raw)];
  const body = typeof t.str === 'string' ? utf8(t.str) : t.str;
  return [u64(body.length), body, Uint8Array.from(t.pad)];
}

/** Concatenates the tokens: strings and byte arrays become `str(…)`, the rest as described. */
export function narTokens(...tokens: NarToken[]): Uint8Array {
  return concatBytes(tokens.flatMap(piece));
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads a whole byte stream into one buffer. */
export async function collectBytes(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(c.slice());
  return concatBytes(parts);
}

/** Splits `bytes` into chunks of `size` (the last may be shorter). */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failing random case can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tree for `writeTreeToDisk`: like `NarTree` with byte names and a file mode. */
export type DiskTree =
  | { readonly type: 'regular'; readonly contents: Uint8Array; readonly mode: number }
  | { readonly type: 'symlink'; readonly target: Uint8Array }
  | { readonly type: 'directory'; readonly entries: readonly (readonly [Uint8Array, DiskTree])[] };

const NAME_PIECES = [
  'a',
  'B',
  'b',
  'file',
  '.hidden',
  '...',
  '-dash',
  'sp ace',
  'tab\t',
  'new\nline',
  'q"uote',
  'back\\slash',
  '\u00e9',
  'e\u0301',
  '\u00fc\u00df',
  '\u65e5\u672c',
  '\u{1f600}',
  '~',
  '#',
  '%20',
  '\x01',
  '\x7f',
  '.a',
  'a.',
  'README',
  'readme',
];
const ODD_BYTES = [0x80, 0xc3, 0xff, 0xfe, 0xed, 0xa0];

/** A random valid entry name: text pieces, sometimes with bytes that are not UTF-8. */
export function randomName(rand: () => number): Uint8Array {
  const parts: number[] = [];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.15) parts.push(ODD_BYTES[Math.floor(rand() * ODD_BYTES.length)]);
    else parts.push(...utf8(NAME_PIECES[Math.floor(rand() * NAME_PIECES.length)]));
  }
  const name = Uint8Array.from(parts.slice(0, 255));
  const s = String.fromCharCode(...name);
  return s === '.' || s === '..' ? utf8('dot') : name;
}

const MODES = [0o644, 0o755, 0o600, 0o700, 0o444, 0o555, 0o654, 0o745, 0o640];

/**
 * A random tree: files (empty, small, sometimes `bigFileBytes` long), symlinks (odd, dangling,
 * absolute targets), empty and nested directories, names with any bytes valid on Linux.
 */
export function randomDiskTree(
  rand: () => number,
  options: { depth?: number; width?: number; bigFileBytes?: number } = {},
): DiskTree {
  const { depth = 3, width = 6, bigFileBytes = 0 } = options;
  const node = (level: number): DiskTree => {
    const r = rand();
    if (level < depth && r < 0.3) {
      const entries = new Map<string, readonly [Uint8Array, DiskTree]>();
      const n = Math.floor(rand() * width);
      for (let i = 0; i < n; i++) {
        const name = randomName(rand);
        entries.set(Buffer.from(name).toString('latin1'), [name, node(level + 1)]);
      }
      return { type: 'directory', entries: [...entries.values()] };
    }
    if (r < 0.45) {
      const target = rand() < 0.5 ? randomName(rand) : utf8(`/nix/store/x/../${rand()}`);
      return { type: 'symlink', target };
    }
    const size =
      bigFileBytes > 0 && rand() < 0.05
        ? bigFileBytes + Math.floor(rand() * 4096)
        : rand() < 0.2
          ? 0
          : Math.floor(rand() * 3000);
    const contents = new Uint8Array(size);
    for (let i = 0; i < size; i++) contents[i] = (i * 7 + size) & 0xff;
    return { type: 'regular', contents, mode: MODES[Math.floor(rand() * MODES.length)] };
  };
  const root = node(0);
  return root.type === 'directory' ? root : { type: 'directory', entries: [[utf8('only'), root]] };
}

/** The `NarTree` a `DiskTree` dumps as (executable iff the owner-execute bit is set). */
export function narTreeOfDiskTree(t: DiskTree): NarTree {
  switch (t.type) {
    case 'regular':
      return { type: 'regular', contents: t.contents, executable: (t.mode & 0o100) !== 0 };
    case 'symlink':
      return t;
    case 'directory':
      return {
        type: 'directory',
        entries: t.entries.map(([n, c]): [Uint8Array, NarTree] => [n, narTreeOfDiskTree(c)]),
      };
  }
}
