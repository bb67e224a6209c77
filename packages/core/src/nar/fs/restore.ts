/**
 * NAR events → a file system tree at a new path, as `nix-store --restore` creates it (spec
 * store-format §3.4): directories mode 0777 and files 0666 (both minus the umask), executables
 * then `+x` for user, group and other, symlinks verbatim. The target must not exist.
 *
 * Safety: the events are checked first (`NarEventChecker`: valid, sorted, unique names), and
 * every object is created exclusively (`mkdir`, `O_CREAT|O_EXCL|O_NOFOLLOW`, `symlink` all fail
 * on an existing name and never follow a final symlink), so everything is created inside
 * directories this restore made itself: a symlink from the NAR is never written through.
 *
 * Cleanup policy: on failure the error is thrown and whatever was created stays; the caller
 * decides (the store restores into a temporary directory and deletes it).
 *
 * @example
 *   await restorePath('/tmp/out', parseNar(createReadStream('x.nar')));
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { strataError } from '../../errors.js';
import { errnoCode, ioError, strerror } from '../../io-error.js';
import type { NarEvent } from '../events.js';
import { NarEventChecker } from '../events.js';

const SLASH = Buffer.from('/');
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function show(path: Buffer): string {
  return path.toString();
}

/** `..`, or a name with `/`, would leave the directory it is created in. */
function escapes(name: Uint8Array): boolean {
  return (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) || name.indexOf(0x2f) >= 0;
}

/**
 * Creates the file system object described by `events` at `target` (which must not exist).
 * Writes are synchronous: many small files cost no event-loop round trips.
 */
export async function restorePath(
  target: string | Buffer,
  events: AsyncIterable<NarEvent> | Iterable<NarEvent>,
): Promise<void> {
  const root = typeof target === 'string' ? Buffer.from(target) : target;
  const checker = new NarEventChecker();
  /** Paths of the open directories; the last one receives the next entry. */
  const dirs: Buffer[] = [];
  let next: Buffer = root;
  let fd = -1;
  let filePath = root;
  try {
    for await (const e of events) {
      if (e.type === 'entry' && escapes(e.name)) {
        const parent = dirs[dirs.length - 1] ?? root;
        throw strataError('STRATA_ERR_NAR_RESTORE_OUTSIDE', {
          path: show(Buffer.concat([parent, SLASH, e.name])),
        });
      }
      checker.check(e);
      switch (e.type) {
        case 'directory':
          try {
            mkdirSync(next, 0o777);
          } catch (err) {
            throw ioError('creating directory', show(next), err);
          }
          dirs.push(next);
          break;
        case 'entry':
          next = Buffer.concat([dirs[dirs.length - 1], SLASH, e.name]);
          break;
        case 'directory-end':
          dirs.pop();
          break;
        case 'regular':
          try {
            fd = openSync(next, CREATE_FLAGS, 0o666);
          } catch (err) {
            if (errnoCode(err) === 'EEXIST') {
              throw strataError(
                'STRATA_ERR_NAR_RESTORE_EXISTS',
                { path: show(next) },
                { cause: err },
              );
            }
            throw ioError('creating file', show(next), err);
          }
          filePath = next;
          if (e.executable) {
            try {
              fchmodSync(fd, (fstatSync(fd).mode & 0o7777) | 0o111);
            } catch (err) {
              throw ioError('changing mode of', show(filePath), err);
            }
          }
          break;
        case 'contents':
          writeAll(fd, e.data, filePath);
          break;
        case 'regular-end': {
          const f = fd;
          fd = -1;
          closeSync(f);
          break;
        }
        case 'symlink':
          try {
            symlinkSync(Buffer.from(e.target), next);
          } catch (err) {
            throw strataError(
              'STRATA_ERR_NAR_RESTORE_SYMLINK',
              { path: show(next), target: Buffer.from(e.target).toString(), reason: strerror(err) },
              { cause: err },
            );
          }
          break;
      }
    }
    checker.finish();
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function writeAll(fd: number, data: Uint8Array, path: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      throw ioError('writing to file', show(path), err);
    }
  }
}
