/**
 * NAR listings, as `nix nar ls` / `nix nar cat` (2.8) and binary caches' `.ls` files show them
 * (spec store-format §8): a tree of the NAR's objects with sizes, executable bits, symlink
 * targets and the byte offset of each file's contents in the NAR, and its renderings.
 *
 * Paths inside a NAR are Nix's: `''` is the root, anything else starts with `/` and is matched
 * component by component, verbatim (`/f/`, `//f` and `/./f` name nothing). Output is bytes,
 * since names are: nothing is re-encoded.
 *
 * @example
 *   const root = await listNar(createReadStream('x.nar'));
 *   renderLsFile(root);                              // {"version":1,"root":{…}}
 *   renderNarLs(root, '/', { long: true, recursive: true });   // = nix nar ls -lR x.nar /
 *   for await (const c of catNar(createReadStream('x.nar'), '/bin/hello')) out.write(c);
 */
import { strataError } from '../errors.js';
import type { NarEvent } from './events.js';
import { equalBytes, showBytes, utf8 } from './format.js';
import { driveNarParser, type NarSource, parseNar } from './parse.js';

/** A regular file in a listing. */
export interface NarListingRegular {
  readonly type: 'regular';
  readonly size: number;
  readonly executable: boolean;
  /** Offset of the file's contents in the NAR. */
  readonly narOffset: number;
}

/** A symlink in a listing. */
export interface NarListingSymlink {
  readonly type: 'symlink';
  readonly target: Uint8Array;
}

/** A directory in a listing; entries in NAR (byte-wise) order. */
export interface NarListingDirectory {
  readonly type: 'directory';
  readonly entries: NarListingEntry[];
}

/** One named entry of a directory. */
export interface NarListingEntry {
  readonly name: Uint8Array;
  readonly node: NarListingNode;
}

/** An object of a NAR listing. */
export type NarListingNode = NarListingRegular | NarListingSymlink | NarListingDirectory;

/** Builds a listing from NAR events; feed them in order, then read `root`. */
export class NarListingBuilder {
  #root: NarListingNode | null = null;
  readonly #dirs: NarListingDirectory[] = [];
  #name: Uint8Array | null = null;

  /** The listing, once the root node is complete. */
  get root(): NarListingNode {
    if (this.#root === null || this.#dirs.length > 0) {
      throw strataError('STRATA_ERR_NAR_BAD_EVENT', { reason: 'the listing is not complete' });
    }
    return this.#root;
  }

  /** Takes one event (assumed valid: from the parser). */
  add(e: NarEvent): void {
    switch (e.type) {
      case 'entry':
        this.#name = e.name;
        return;
      case 'regular':
        this.#place({
          type: 'regular',
          size: e.size,
          executable: e.executable,
          narOffset: e.narOffset ?? 0,
        });
        return;
      case 'symlink':
        this.#place({ type: 'symlink', target: e.target });
        return;
      case 'directory': {
        const dir: NarListingDirectory = { type: 'directory', entries: [] };
        this.#place(dir);
        this.#dirs.push(dir);
        return;
      }
      case 'directory-end':
        this.#dirs.pop();
        return;
      default:
        return;
    }
  }

  #place(node: NarListingNode): void {
    const parent = this.#dirs[this.#dirs.length - 1];
    if (parent === undefined) this.#root = node;
    else parent.entries.push({ name: this.#name!, node });
  }
}

/** Parses the NAR from `source` (strictly, see `parseNar`) and returns its listing. */
export async function listNar(source: NarSource): Promise<NarListingNode> {
  const builder = new NarListingBuilder();
  await driveNarParser(source, (e) => builder.add(e));
  return builder.root;
}

/**
 * The components of a path inside a NAR, as Nix 2.8's NAR accessor reads it: `''` is the root;
 * otherwise the path must be absolute and every `/` separates a component (so `/` itself names
 * an entry with an empty name, which never exists).
 */
export function narPathComponents(path: string | Uint8Array): Uint8Array[] {
  const bytes = typeof path === 'string' ? utf8(path) : path;
  if (bytes.length === 0) return [];
  if (bytes[0] !== 0x2f) {
    throw strataError('STRATA_ERR_NAR_PATH_NOT_ABSOLUTE', { path: showBytes(bytes) });
  }
  const parts: Uint8Array[] = [];
  let start = 1;
  for (let i = 1; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

/** The object at `path` inside the listing (see `narPathComponents`), or undefined. */
export function findInListing(
  root: NarListingNode,
  path: string | Uint8Array,
): NarListingNode | undefined {
  let node: NarListingNode = root;
  for (const part of narPathComponents(path)) {
    if (node.type !== 'directory') return undefined;
    const entry: NarListingEntry | undefined = node.entries.find((x) => equalBytes(x.name, part));
    if (entry === undefined) return undefined;
    node = entry.node;
  }
  return node;
}

/** Collects output pieces and joins them once. */
class Out {
  readonly parts: Uint8Array[] = [];
  #size = 0;

  push(p: Uint8Array | string): void {
    const b = typeof p === 'string' ? utf8(p) : p;
    this.parts.push(b);
    this.#size += b.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const HEX = '0123456789abcdef';

/** A JSON string as Nix 2.8 writes it: only `"`, `\` and control bytes escaped, others raw. */
function jsonString(out: Out, s: Uint8Array): void {
  out.push('"');
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    if (i > from) out.push(s.subarray(from, i));
    from = i + 1;
    if (c === 0x22) out.push('\\"');
    else if (c === 0x5c) out.push('\\\\');
    else if (c === 0x0a) out.push('\\n');
    else if (c === 0x0d) out.push('\\r');
    else if (c === 0x09) out.push('\\t');
    else out.push(`\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
  }
  if (s.length > from) out.push(s.subarray(from));
  out.push('"');
}

function jsonNode(out: Out, node: NarListingNode, recursive: boolean): void {
  switch (node.type) {
    case 'regular':
      out.push(`{"type":"regular","size":${node.size}`);
      if (node.executable) out.push(',"executable":true');
      if (node.narOffset) out.push(`,"narOffset":${node.narOffset}`);
      out.push('}');
      return;
    case 'symlink':
      out.push('{"type":"symlink","target":');
      jsonString(out, node.target);
      out.push('}');
      return;
    case 'directory':
      out.push('{"type":"directory","entries":{');
      node.entries.forEach((entry, i) => {
        if (i > 0) out.push(',');
        jsonString(out, entry.name);
        out.push(':');
        if (recursive) jsonNode(out, entry.node, true);
        else out.push('{}');
      });
      out.push('}}');
      return;
  }
}

/**
 * A listing node as JSON, as `nix nar ls --json [-R]` prints it (no final newline); without
 * `recursive`, a directory's entries map to `{}`.
 */
export function renderNarListingJson(
  node: NarListingNode,
  options: { recursive?: boolean } = {},
): Uint8Array {
  const out = new Out();
  jsonNode(out, node, options.recursive === true);
  return out.bytes();
}

/** The `<hashPart>.ls` file of a binary cache: `{"version":1,"root":<recursive listing>}`. */
export function renderLsFile(root: NarListingNode): Uint8Array {
  const out = new Out();
  out.push('{"version":1,"root":');
  jsonNode(out, root, true);
  out.push('}');
  return out.bytes();
}

/** Options of `renderNarLs`, named after `nix nar ls`'s flags. */
export interface NarLsOptions {
  /** `-l`: type, size and (for symlinks) target. */
  long?: boolean;
  /** `-R`: list subdirectories recursively. */
  recursive?: boolean;
  /** `-d`: show a directory itself rather than its contents (ignored with `json`). */
  directory?: boolean;
  /** `--json`. */
  json?: boolean;
}

/** `path`'s last component (Nix's `baseNameOf`; paths here never end in `/`). */
function baseName(path: Uint8Array): Uint8Array {
  return path.subarray(path.lastIndexOf(0x2f) + 1);
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + 1 + b.length);
  out.set(a);
  out[a.length] = 0x2f;
  out.set(b, a.length + 1);
  return out;
}

function lsFile(out: Out, node: NarListingNode, rel: Uint8Array, o: NarLsOptions): void {
  if (o.long) {
    const mode =
      node.type === 'regular'
        ? node.executable
          ? '-r-xr-xr-x'
          : '-r--r--r--'
        : node.type === 'symlink'
          ? 'lrwxrwxrwx'
          : 'dr-xr-xr-x';
    const size = node.type === 'regular' ? node.size : 0;
    out.push(`${mode} ${String(size).padStart(20)} `);
    out.push(rel);
    if (node.type === 'symlink') {
      out.push(' -> ');
      out.push(node.target);
    }
  } else {
    out.push(rel);
  }
  out.push('\n');
  if (o.recursive && node.type === 'directory') lsPath(out, node, rel, o, false);
}

function lsPath(
  out: Out,
  node: NarListingNode,
  rel: Uint8Array,
  o: NarLsOptions,
  showDirectory: boolean,
): void {
  if (node.type === 'directory' && !showDirectory) {
    for (const e of node.entries) lsFile(out, e.node, join(rel, e.name), o);
  } else {
    lsFile(out, node, rel, o);
  }
}

/**
 * What `nix nar ls [-l] [-R] [-d] [--json] NAR PATH` prints for the listing `root`: text lines
 * (each ending in a newline; a directory's contents are shown relative to `.`), or the JSON of
 * `renderNarListingJson`. Fails with Nix's messages for a missing or relative path.
 */
export function renderNarLs(
  root: NarListingNode,
  path: string | Uint8Array,
  options: NarLsOptions = {},
): Uint8Array {
  let p = typeof path === 'string' ? utf8(path) : path;
  if (p.length === 1 && p[0] === 0x2f) p = p.subarray(1);
  const node = findInListing(root, p);
  if (options.json) {
    if (node === undefined)
      throw strataError('STRATA_ERR_NAR_PATH_NOT_IN_NAR', { path: showBytes(p) });
    return renderNarListingJson(node, { recursive: options.recursive });
  }
  if (node === undefined)
    throw strataError('STRATA_ERR_NAR_PATH_NOT_FOUND', { path: showBytes(p) });
  const out = new Out();
  const rel = node.type === 'directory' ? utf8('.') : baseName(p);
  lsPath(out, node, rel, options, options.directory === true);
  return out.bytes();
}

/**
 * Streams the contents of the regular file at `path` inside the NAR read from `source`, like
 * `nix nar cat` (2.8). The whole NAR is parsed (and so validated); the file's bytes are
 * yielded as they arrive, so a NAR that turns out malformed after the file fails after it.
 * Fails with Nix's messages when the path is relative, missing, or not a regular file.
 */
export async function* catNar(
  source: NarSource,
  path: string | Uint8Array,
): AsyncGenerator<Uint8Array, void, undefined> {
  let want: Uint8Array[] | null = null;
  let pathError: unknown = null;
  try {
    want = narPathComponents(path);
  } catch (e) {
    pathError = e;
  }
  const shown = typeof path === 'string' ? path : showBytes(path);
  /** Names of the open entries: the path of the current node. */
  const names: Uint8Array[] = [];
  /** Length of the longest prefix of that path which matches `want`. */
  let matched = 0;
  let inTarget = false;
  let found: NarListingNode['type'] | null = null;
  const atTarget = () => want !== null && matched === want.length && names.length === want.length;
  // A node just ended: so did the entry holding it, if any.
  const leave = () => {
    if (names.length > 0) names.pop();
    if (matched > names.length) matched = names.length;
  };
  for await (const e of parseNar(source)) {
    switch (e.type) {
      case 'entry':
        names.push(e.name);
        if (want !== null && matched === names.length - 1 && matched < want.length) {
          if (equalBytes(e.name, want[matched])) matched++;
        }
        break;
      case 'regular':
        if (atTarget()) {
          found = 'regular';
          inTarget = true;
        }
        break;
      case 'contents':
        if (inTarget) yield e.data;
        break;
      case 'regular-end':
        inTarget = false;
        leave();
        break;
      case 'symlink':
        if (atTarget()) found = 'symlink';
        leave();
        break;
      case 'directory':
        if (atTarget()) found = 'directory';
        break;
      case 'directory-end':
        leave();
        break;
    }
  }
  if (pathError !== null) throw pathError;
  if (found === null) throw strataError('STRATA_ERR_NAR_PATH_NOT_FOUND', { path: shown });
  if (found !== 'regular') throw strataError('STRATA_ERR_NAR_PATH_NOT_REGULAR', { path: shown });
}
