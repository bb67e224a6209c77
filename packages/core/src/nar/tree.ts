/**
 * In-memory file system trees as NAR events: for small objects (a `text` object's single file,
 * tests, generated fixtures). Entries are sorted byte-wise here, so any order may be given.
 *
 * @example
 *   encodeNar(narEventsOfTree({ type: 'regular', contents: 'Hello, world!\n' }));  // 128 bytes
 *   narEventsOfTree({ type: 'directory', entries: {
 *     f: { type: 'regular', contents: 'a' },
 *     l: { type: 'symlink', target: 'f' },
 *     x: { type: 'regular', contents: '', executable: true } } });
 */
import type { NarEvent } from './events.js';
import { compareBytes, utf8 } from './format.js';

/** Bytes, or text taken as UTF-8. */
export type NarTreeBytes = Uint8Array | string;

/** A file system object held in memory. */
export type NarTree =
  | { readonly type: 'regular'; readonly contents: NarTreeBytes; readonly executable?: boolean }
  | { readonly type: 'symlink'; readonly target: NarTreeBytes }
  | {
      readonly type: 'directory';
      /** By name; a record for text names, pairs for names that are arbitrary bytes. */
      readonly entries:
        | Readonly<Record<string, NarTree>>
        | Iterable<readonly [NarTreeBytes, NarTree]>;
    };

function bytes(b: NarTreeBytes): Uint8Array {
  return typeof b === 'string' ? utf8(b) : b;
}

function sortedEntries(tree: Extract<NarTree, { type: 'directory' }>): [Uint8Array, NarTree][] {
  const entries = tree.entries;
  const pairs: Iterable<readonly [NarTreeBytes, NarTree]> =
    Symbol.iterator in entries
      ? (entries as Iterable<readonly [NarTreeBytes, NarTree]>)
      : Object.entries(entries as Record<string, NarTree>);
  return Array.from(pairs, ([name, node]): [Uint8Array, NarTree] => [bytes(name), node]).sort(
    (a, b) => compareBytes(a[0], b[0]),
  );
}

/** The events of `tree`, depth first, entries in NAR order. */
export function* narEventsOfTree(tree: NarTree): Generator<NarEvent, void, undefined> {
  switch (tree.type) {
    case 'regular': {
      const data = bytes(tree.contents);
      yield { type: 'regular', executable: tree.executable === true, size: data.length };
      if (data.length > 0) yield { type: 'contents', data };
      yield { type: 'regular-end' };
      return;
    }
    case 'symlink':
      yield { type: 'symlink', target: bytes(tree.target) };
      return;
    case 'directory':
      yield { type: 'directory' };
      for (const [name, node] of sortedEntries(tree)) {
        yield { type: 'entry', name };
        yield* narEventsOfTree(node);
      }
      yield { type: 'directory-end' };
      return;
  }
}
