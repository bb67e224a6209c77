/**
 * A directory's entry names in the order the file system returns them, as Nix's `readdir`
 * loops see them (Node's `readdirSync` sorts them), as raw bytes (names need not be UTF-8).
 *
 * @example
 *   readDirNames(Buffer.from('/r/nix/store/.links'))   // [<Buffer 30 7a …>, …]
 */
import { opendirSync } from 'node:fs';
import { ioError } from '@strata/core/io-error';

/** The names in `path` (without `.` and `..`), in file-system order. */
export function readDirNames(path: Buffer): Buffer[] {
  const names: Buffer[] = [];
  let dir: ReturnType<typeof opendirSync>;
  try {
    dir = opendirSync(path, { encoding: 'buffer' } as unknown as Parameters<typeof opendirSync>[1]);
  } catch (e) {
    throw ioError('opening directory', path.toString(), e);
  }
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) {
      // With `encoding: 'buffer'` the names are Buffers; Node's typings only know strings.
      names.push(d.name as unknown as Buffer);
    }
  } catch (e) {
    throw ioError('reading directory', path.toString(), e);
  } finally {
    dir.closeSync();
  }
  return names;
}
