/**
 * The socket a running collector listens on for new temporary roots (spec store-format §9.2):
 * `state/gc-socket/socket`, mode 0666. A process that wants a temporary root while the
 * collector holds `gc.lock` connects, sends `<store path>\n` and waits for `1`; the collector
 * records the path (by hash part) before answering, so from then on it is not deleted. Lines
 * are handled on the event loop, so a client in the same process (a `TempRootsFile` of the
 * store being collected) is served as well as real Nix.
 *
 * The socket file is bound under a temporary name and renamed into place, so there is never a
 * moment where clients find no socket; like Nix's, it stays behind after the collection (later
 * clients get "connection refused" and look at the lock again).
 *
 * @example
 *   const server = await GcRootsServer.start(socketPath, async (path) => { roots.add(path) }, log);
 *   …collect…
 *   await server.stop();
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { ioError } from '@strata/core/io-error';

/**
 * Called with each line a client sends; the client gets its `1` when the returned promise
 * settles. `false` means the line was not a store path (Nix answers `1` anyway, after logging
 * `received garbage instead of a root from client`).
 */
export type RootReceiver = (line: string) => Promise<boolean> | boolean;

const MAX_LINE = 64 * 1024;

/** A listening GC roots socket. */
export class GcRootsServer {
  readonly #server: Server;
  readonly #clients = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Binds `socketPath` (replacing a left-over socket atomically) and starts serving. */
  static async start(
    socketPath: string,
    receive: RootReceiver,
    log: (line: string) => void,
  ): Promise<GcRootsServer> {
    mkdirSync(dirname(socketPath), { recursive: true });
    const server = createServer({ allowHalfOpen: false });
    const self = new GcRootsServer(server);
    server.on('connection', (socket) => self.#serve(socket, receive, log));
    // Short: socket paths are limited to 107 bytes, and this one must fit where `socket` does.
    const temp = `${dirname(socketPath)}/t${randomBytes(3).toString('hex')}`;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: temp, backlog: 100 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      chmodSync(temp, 0o666);
      renameSync(temp, socketPath);
    } catch (e) {
      server.close();
      try {
        unlinkSync(temp);
      } catch {
        // Not bound or already gone.
      }
      throw ioError('binding socket', socketPath, e);
    }
    // The server is only needed while its owner collects; it must not keep a process alive.
    server.unref();
    return self;
  }

  #serve(socket: Socket, receive: RootReceiver, log: (line: string) => void): void {
    this.#clients.add(socket);
    let buffer = '';
    let busy = false;
    const drain = async () => {
      if (busy) return;
      busy = true;
      try {
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (!(await receive(line))) log('received garbage instead of a root from client');
          if (socket.destroyed) return;
          socket.write('1');
        }
      } catch {
        socket.destroy();
      } finally {
        busy = false;
      }
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // Store paths are short: a client sending this much without a newline is not one of ours.
      if (buffer.length > MAX_LINE) {
        socket.destroy();
        return;
      }
      void drain();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#clients.delete(socket));
  }

  /** Stops listening and disconnects every client (they then retry on the lock). */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#clients) c.destroy();
    this.#clients.clear();
    await closed;
  }
}
