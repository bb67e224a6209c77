/**
 * Temporary GC roots (spec store-format §9.2), both sides of Nix 2.8's protocol:
 *
 * - {@link TempRootsFile}, the writer: one per process and store. The first `add` creates
 *   `state/temproots/<pid>` and keeps it exclusively `flock`ed for the process's lifetime; each
 *   `add` then tries a shared lock on `state/gc.lock`. When that works no collector is running
 *   and the path is appended (`<path>\0`) under the shared lock; when it fails a collector is
 *   running, so the path is first sent to its socket `state/gc-socket/socket` (`<path>\n`,
 *   answered by `1`), then appended. Connection refused or closed: start again.
 * - {@link readTempRoots}, the collector side: reads every `temproots/<pid>` file; a file whose
 *   lock can be taken belongs to a dead process and is removed
 *   (`removing stale temporary roots file '<file>'`).
 *
 * @example
 *   const roots = new TempRootsFile(locations);
 *   await roots.add('/nix/store/…-hello');   // the path is now protected from any collector
 *   roots.close();                           // at store close: the file is removed
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { errnoCode, ioError } from '@strata/core/io-error';
import type { StoreDir } from '@strata/core/store-path';
import { flock, flockAsync } from '@strata/native';
import type { StoreLocations } from '../layout/locations.js';
import { openLockFile } from '../locks/lock-file.js';

/** `state/temproots`. */
export function tempRootsDir(locations: Pick<StoreLocations, 'stateDir'>): string {
  return `${locations.stateDir}/temproots`;
}

/** `state/gc-socket/socket`, where a running collector listens for new temporary roots. */
export function gcSocketPath(locations: Pick<StoreLocations, 'stateDir'>): string {
  return `${locations.stateDir}/gc-socket/socket`;
}

/** `state/gc.lock`, held exclusively by a running collector. */
export function gcLockPath(locations: Pick<StoreLocations, 'stateDir'>): string {
  return `${locations.stateDir}/gc.lock`;
}

const RETRY_DELAY_MS = 10;
const RETRYABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EPIPE', 'ECONNRESET', 'EOF']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function eofError(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('GC socket closed');
  e.code = 'EOF';
  return e;
}

/** One connection to a running collector's socket; requests are made one at a time. */
class CollectorConnection {
  readonly #socket: Socket;
  #acks = 0;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#acks += chunk.length;
      this.#wake?.();
    });
    const fail = (e: Error) => {
      this.#failure ??= e;
      this.#wake?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(eofError()));
    socket.on('end', () => fail(eofError()));
  }

  static open(path: string): Promise<CollectorConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new CollectorConnection(socket));
      });
    });
  }

  /** Sends `line` and waits for the collector's `1`. */
  async send(line: string): Promise<void> {
    // Only referenced while waiting: an idle connection must not keep the process alive.
    this.#socket.ref();
    try {
      this.#socket.write(line);
      while (this.#acks === 0) {
        if (this.#failure) throw this.#failure;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
      this.#acks--;
    } finally {
      this.#socket.unref();
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * This process's temporary roots for one store. Keep one per process and store (a second one
 * would replace the first's file, as two Nix stores in one process do); `close` it when the
 * store closes.
 */
export class TempRootsFile {
  readonly #stateDir: string;
  readonly #file: string;
  #fd: number | undefined;
  #gcLockFd: number | undefined;
  #connection: CollectorConnection | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(locations: Pick<StoreLocations, 'stateDir'>) {
    this.#stateDir = locations.stateDir;
    this.#file = `${tempRootsDir(locations)}/${process.pid}`;
  }

  /** The file this process's roots go to (`state/temproots/<pid>`). */
  get path(): string {
    return this.#file;
  }

  /** Registers `storePath` as a temporary root; resolves once no collector can delete it. */
  add(storePath: string): Promise<void> {
    const run = this.#queue.then(() => this.#add(storePath));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #add(storePath: string): Promise<void> {
    if (this.#closed) throw new Error('temporary roots file is closed');
    const fd = this.#fd ?? (await this.#create());
    this.#gcLockFd ??= openLockFile(gcLockPath({ stateDir: this.#stateDir }));
    for (;;) {
      if (flock(this.#gcLockFd, 'shared')) {
        try {
          this.#append(fd, storePath);
        } finally {
          flock(this.#gcLockFd, 'unlock');
        }
        return;
      }
      try {
        this.#connection ??= await CollectorConnection.open(
          gcSocketPath({ stateDir: this.#stateDir }),
        );
        await this.#connection.send(`${storePath}\n`);
      } catch (e) {
        this.#connection?.close();
        this.#connection = undefined;
        if (!RETRYABLE.has(errnoCode(e) ?? '')) throw e;
        // The collector is starting or stopping: wait a moment, then look at the lock again.
        await sleep(RETRY_DELAY_MS);
        continue;
      }
      this.#append(fd, storePath);
      return;
    }
  }

  #append(fd: number, storePath: string): void {
    try {
      writeSync(fd, `${storePath}\0`);
    } catch (e) {
      throw ioError('writing to file', this.#file, e);
    }
  }

  async #create(): Promise<number> {
    mkdirSync(tempRootsDir({ stateDir: this.#stateDir }), { recursive: true });
    for (;;) {
      // A file with our pid can only be left over from a dead process.
      try {
        unlinkSync(this.#file);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw ioError('removing file', this.#file, e);
      }
      const fd = openLockFile(this.#file);
      try {
        if (!flock(fd, 'exclusive')) await flockAsync(fd, 'exclusive');
        // Non-empty means a collector declared it stale before we locked it: start again.
        if (fstatSync(fd).size === 0) {
          this.#fd = fd;
          return fd;
        }
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      closeSync(fd);
    }
  }

  /** Removes the file and drops the locks and the collector connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection?.close();
    this.#connection = undefined;
    if (this.#fd !== undefined) {
      try {
        unlinkSync(this.#file);
      } catch {
        // Already gone: nothing to clean up.
      }
      closeSync(this.#fd);
      this.#fd = undefined;
    }
    if (this.#gcLockFd !== undefined) {
      closeSync(this.#gcLockFd);
      this.#gcLockFd = undefined;
    }
  }
}

/** Temporary roots found by {@link readTempRoots}: store path → `{temp:<pid>}` names. */
export type TempRoots = Map<string, Set<string>>;

/**
 * Reads every live process's temporary roots (the collector side of §9.2). Files of dead
 * processes (their lock can be taken) are removed with Nix's message unless `readOnly`; names
 * starting with `.` are skipped. Entries that are not store paths of `dir` are ignored.
 */
export function readTempRoots(
  locations: Pick<StoreLocations, 'stateDir'>,
  dir: StoreDir,
  log: (line: string) => void,
  options: { readOnly?: boolean } = {},
): TempRoots {
  const roots: TempRoots = new Map();
  const rootsDir = tempRootsDir(locations);
  let names: string[];
  try {
    names = readdirSync(rootsDir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return roots;
    throw ioError('opening directory', rootsDir, e);
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = `${rootsDir}/${name}`;
    let fd: number;
    try {
      fd = openSync(path, options.readOnly ? constants.O_RDONLY : constants.O_RDWR);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') continue;
      throw ioError('opening temporary roots file', path, e);
    }
    try {
      if (!options.readOnly && flock(fd, 'exclusive')) {
        log(`removing stale temporary roots file '${path}'`);
        unlinkSync(path);
        writeSync(fd, 'd');
        continue;
      }
      const label = `{temp:${Number.parseInt(name, 10)}}`;
      for (const root of readFileSync(fd, 'utf8').split('\0').slice(0, -1)) {
        if (!dir.isStorePath(root)) continue;
        const names = roots.get(root) ?? new Set<string>();
        names.add(label);
        roots.set(root, names);
      }
    } finally {
      closeSync(fd);
    }
  }
  return roots;
}
