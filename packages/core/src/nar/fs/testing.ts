/**
 * Test helpers that touch the file system (not exported from the package): materialise a
 * `DiskTree`, and compare two trees on disk.
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { DiskTree } from '../testing.js';

const SLASH = Buffer.from('/');

/** Creates `tree` at `path` (which must not exist); names and targets are used as bytes. */
export function writeTreeToDisk(path: string | Buffer, tree: DiskTree): void {
  const p = typeof path === 'string' ? Buffer.from(path) : path;
  switch (tree.type) {
    case 'regular':
      writeFileSync(p, tree.contents);
      chmodSync(p, tree.mode);
      return;
    case 'symlink':
      symlinkSync(Buffer.from(tree.target), p);
      return;
    case 'directory':
      mkdirSync(p);
      for (const [name, child] of tree.entries) {
        writeTreeToDisk(Buffer.concat([p, SLASH, name]), child);
      }
      return;
  }
}
