/**
 * Test helpers: lock holders in other processes (a child Node process using the add-on, and
 * util-linux `flock(1)`), started and stopped on cue.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled add-on, for child processes that lock without the TypeScript wrapper. */
export const ADDON_PATH = fileURLToPath(
  new URL('../build/Release/strata_native.node', import.meta.url),
);

/** A process holding a lock until `release()` (which waits for it to exit). */
export interface Holder {
  readonly child: ChildProcess;
  release(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Resolves once `child` printed `word` on stdout; rejects if it exits first. */
function printed(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes(word)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) early: ${err}`)));
  });
}

const HOLDER_SCRIPT = `
const fs = require('node:fs');
const addon = require(process.argv[1]);
const fd = fs.openSync(process.argv[2], fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
addon.flock(fd, process.argv[3] === 'shared' ? 1 : 2, true);
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

/** Starts a Node process that takes a `mode` flock on `file` and keeps it until released. */
export async function nodeHolder(file: string, mode: 'shared' | 'exclusive'): Promise<Holder> {
  const child = spawn(process.execPath, ['-e', HOLDER_SCRIPT, ADDON_PATH, file, mode], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await printed(child, 'locked');
  return {
    child,
    release: async () => {
      child.stdin?.end();
      await exited(child);
    },
  };
}

/** Starts `flock -x|-s FILE` (util-linux) holding the lock until released. */
export async function flockCommandHolder(
  file: string,
  mode: 'shared' | 'exclusive',
): Promise<Holder> {
  const flag = mode === 'shared' ? '-s' : '-x';
  // `cat` keeps the lock until its stdin closes: no sleeps, no timing.
  const child = spawn('flock', [flag, file, 'sh', '-c', 'echo locked; exec cat'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await printed(child, 'locked');
  return {
    child,
    release: async () => {
      child.stdin?.end();
      await exited(child);
    },
  };
}
