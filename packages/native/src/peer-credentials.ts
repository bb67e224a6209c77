/**
 * Who is on the other end of a Unix domain socket: `getsockopt(SO_PEERCRED)` (Linux), as the
 * Nix daemon uses to decide whether a client is trusted (spec worker-protocol §10.1). The
 * credentials are the peer's at the time it called `connect` (or `socketpair`).
 *
 * Node keeps the descriptor of a socket in its handle: `socketFd(socket)` reads it from a
 * connected `net.Socket`, e.g. one a `net.Server` listening on a socket path hands to its
 * `connection` handler.
 *
 * @example
 *   net.createServer((socket) => {
 *     const { pid, uid, gid } = peerCredentials(socketFd(socket));
 *     if (!trusted(uid, gid)) socket.destroy();
 *   }).listen('/nix/var/nix/daemon-socket/socket');
 */
import type { Socket } from 'node:net';
import { strataError } from '@strata/core';
import { checkFd, native, rethrowErrno } from './addon.js';

/** The peer process's pid, effective uid and effective (primary) gid. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/**
 * The credentials of the process connected to the Unix socket `fd`. Throws
 * STRATA_ERR_NATIVE_PEER_CREDENTIALS (`getting peer credentials: <system text>`) when `fd` is
 * not a socket (`Socket operation on non-socket`), not a Unix domain socket (`Address family
 * not supported by protocol`), or not connected (`Transport endpoint is not connected`), and
 * on systems without SO_PEERCRED (`Function not implemented`).
 */
export function peerCredentials(fd: number): PeerCredentials {
  checkFd(fd);
  try {
    return native().peerCredentials(fd);
  } catch (e) {
    return rethrowErrno(e, 'STRATA_ERR_NATIVE_PEER_CREDENTIALS');
  }
}

/**
 * The file descriptor under a connected `net.Socket` (Node's internal `_handle.fd`). Throws
 * STRATA_ERR_NATIVE_BAD_FD when the socket has none (destroyed, not yet connected, or not
 * backed by a descriptor).
 */
export function socketFd(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw strataError('STRATA_ERR_NATIVE_BAD_FD', { fd: String(fd) });
  }
  return fd;
}
