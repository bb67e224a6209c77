import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isStrataError } from '@strata/core';
import { tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { peerCredentials, socketFd } from './peer-credentials.js';

const test = suite('peerCredentials');
const dir = tempDir('strata-native-');
test.after(() => dir.cleanup());

let n = 0;

/** A Unix socket server whose accepted connections are handed out in order. */
async function unixServer(): Promise<{ path: string; server: Server; next(): Promise<Socket> }> {
  const path = join(dir.path, `s-${n++}.sock`);
  const waiting: ((s: Socket) => void)[] = [];
  const queued: Socket[] = [];
  const server = createServer((s) => {
    const w = waiting.shift();
    if (w) w(s);
    else queued.push(s);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    server,
    next: () => {
      const s = queued.shift();
      return s ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

function throwsCode(fn: () => unknown, code: string, message: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isStrataError(e), `not a StrataError: ${e}`);
    assert.is(e.code, code);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('a connection from this process: our pid, uid and gid, on both ends', async () => {
  const { path, server, next } = await unixServer();
  const client = connect(path);
  const accepted = await next();
  await new Promise<void>((resolve) =>
    client.connecting ? client.once('connect', resolve) : resolve(),
  );
  const me = { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() };
  assert.equal(peerCredentials(socketFd(accepted)), me);
  assert.equal(peerCredentials(socketFd(client)), me);
  client.destroy();
  accepted.destroy();
  await close(server);
});

test("a connection from a child process: the child's pid", async () => {
  const { path, server, next } = await unixServer();
  const child = spawn(
    process.execPath,
    ['-e', "const s = require('node:net').connect(process.argv[1]); process.stdin.pipe(s);", path],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const accepted = await next();
  const creds = peerCredentials(socketFd(accepted));
  assert.is(creds.pid, child.pid);
  assert.is(creds.uid, process.getuid!());
  assert.is(creds.gid, process.getgid!());
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  accepted.destroy();
  await close(server);
});

test('errors: not a socket, not a Unix socket, closed or missing descriptors', async () => {
  const file = join(dir.path, 'plain');
  const fd = openSync(file, 'w');
  throwsCode(
    () => peerCredentials(fd),
    'STRATA_ERR_NATIVE_PEER_CREDENTIALS',
    'getting peer credentials: Socket operation on non-socket',
  );
  closeSync(fd);
  throwsCode(
    () => peerCredentials(fd),
    'STRATA_ERR_NATIVE_PEER_CREDENTIALS',
    'getting peer credentials: Bad file descriptor',
  );
  throwsCode(() => peerCredentials(-3), 'STRATA_ERR_NATIVE_BAD_FD', "invalid file descriptor '-3'");

  const tcp = createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  throwsCode(
    () => peerCredentials(socketFd(client)),
    'STRATA_ERR_NATIVE_PEER_CREDENTIALS',
    'getting peer credentials: Address family not supported by protocol',
  );
  client.destroy();
  throwsCode(
    () => socketFd(client),
    'STRATA_ERR_NATIVE_BAD_FD',
    "invalid file descriptor 'undefined'",
  );
  await close(tcp);
});

test.run();
