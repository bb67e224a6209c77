/**
 * The common environment E of spec/local-overlay.md §5.1 on real mounts: a tmpfs volume with a
 * lower store `A`, an upper layer `UP`, the overlay root `ROOT` and a work dir, the overlay
 * mounted on `ROOT/nix/store`, and a registry with the local, local-overlay and dummy plugins.
 * Everything mounted below the volume is unmounted afterwards (last first), then the volume,
 * also when the test failed.
 *
 * @example
 *   overlayTest('redundant add', () => withVolume(async (env) => {
 *     env.nixStore(['--store', env.A, '--add', file]);
 *     env.mountOverlay();
 *     const store = await env.open();
 *     …
 *   }));
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  createReadStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenOptions, type Store, StoreRegistry } from '@strata/core';
import { NIX, type Requirement, ROOT, requires } from '@strata/test-support';
import type { Test } from 'uvu';
import { readExport } from '../../packages/cli/src/export-format.js';
import { parseMountInfo } from '../../packages/overlay/src/index.js';
import dummyPlugin from '../../plugins/dummy/src/index.js';
import localPlugin from '../../plugins/local/src/index.js';
import localOverlayPlugin from '../../plugins/local-overlay/src/index.js';

/** OverlayFS is available in this kernel. */
export const OVERLAYFS: Requirement = {
  name: 'overlayfs',
  check: () =>
    readFileSync('/proc/filesystems', 'utf8').includes('\toverlay\n')
      ? null
      : 'overlayfs is not available (modprobe overlay)',
};

/** A registrar for tests that need root, OverlayFS and Nix 2.8. */
export function overlayTest(test: Test) {
  return requires(test, ROOT, OVERLAYFS, NIX);
}

/** nix.conf for the Nix commands of the scenarios (chroot stores, no build users). */
const NIX_CONFIG = [
  'experimental-features = nix-command',
  'build-users-group =',
  'sandbox = false',
  'extra-sandbox-paths = /bin /lib /lib64 /usr',
  'substituters =',
].join('\n');

/** The registry the scenarios open stores with. */
export function overlayRegistry(): StoreRegistry {
  const registry = new StoreRegistry();
  registry.register(dummyPlugin);
  registry.register(localPlugin);
  registry.register(localOverlayPlugin);
  return registry;
}

/** Global settings as resolved settings (what @strata/config produces). */
function globals(values: Record<string, unknown>): NonNullable<OpenOptions['globals']> {
  return new Map(
    Object.entries(values).map(([name, value]) => [
      name,
      {
        def: { name, type: { kind: 'string' }, default: '', description: name },
        value,
        origin: { kind: 'default' },
        overridden: false,
      } as never,
    ]),
  );
}

/** One scenario's volume and helpers. */
export class OverlayEnv {
  readonly VOL: string;
  readonly A: string;
  readonly UP: string;
  readonly ROOT: string;
  readonly WORK: string;
  readonly registry = overlayRegistry();
  readonly warnings: string[] = [];
  readonly #stores: Store[] = [];

  constructor(vol: string) {
    this.VOL = vol;
    this.A = join(vol, 'store-a');
    this.UP = join(vol, 'store-b');
    this.ROOT = join(vol, 'merged-store');
    this.WORK = join(vol, 'workdir');
    for (const d of [join(this.A, 'nix/store'), this.UP, join(this.ROOT, 'nix/store'), this.WORK]) {
      mkdirSync(d, { recursive: true });
    }
  }

  /** The merged dir `ROOT/nix/store`. */
  get merged(): string {
    return join(this.ROOT, 'nix/store');
  }

  /** The store URL `B` of §5.1 (plus `extra` parameters). */
  url(extra = ''): string {
    return `local-overlay://?root=${this.ROOT}&lower-store=${this.A}&upper-layer=${this.UP}${extra}`;
  }

  /** mountOverlay of §5.1. */
  mountOverlay(): void {
    mount(`lowerdir=${this.A}/nix/store,upperdir=${this.UP},workdir=${this.WORK}`, this.merged);
  }

  /** remount of §5.1. */
  remount(path = this.merged): void {
    execFileSync('mount', ['-o', 'remount', path], {
      env: { ...process.env, LIBMOUNT_FORCE_MOUNT2: 'always' },
    });
  }

  /** Opens a store through the registry with `local-overlay-store` enabled. */
  async open(url = this.url(), extraGlobals: Record<string, unknown> = {}): Promise<Store> {
    const store = await this.registry.openStore(url, this.openOptions(extraGlobals));
    this.#stores.push(store);
    return store;
  }

  openOptions(extraGlobals: Record<string, unknown> = {}): OpenOptions {
    return {
      features: ['local-overlay-store', 'nix-command'],
      globals: globals({ 'build-users-group': '', substituters: [], ...extraGlobals }),
      warn: (m) => this.warnings.push(m),
    };
  }

  /** Closes every store opened here. */
  async closeAll(): Promise<void> {
    for (const s of this.#stores.splice(0)) await this.registry.closeStore(s);
  }

  /** Runs a Nix 2.8 command; returns its stdout bytes, throws with stderr on failure. */
  nixBytes(cmd: string, args: string[], input?: Uint8Array): Buffer {
    return execFileSync(cmd, args, {
      input,
      maxBuffer: 1 << 28,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NIX_CONFIG },
    });
  }

  /** Runs a Nix 2.8 command; returns trimmed stdout, throws with stderr on failure. */
  nix(cmd: string, args: string[], input?: Uint8Array): string {
    return this.nixBytes(cmd, args, input).toString('utf8').trim();
  }

  /** Runs a Nix 2.8 command that may fail. */
  nixRun(cmd: string, args: string[], input?: Uint8Array) {
    const r = spawnSync(cmd, args, {
      input,
      encoding: 'utf8',
      env: { ...process.env, NIX_CONFIG },
    });
    return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
  }

  /** Writes `content` to a file named `name` in a scratch dir and returns its path. */
  file(name: string, content: string): string {
    const dir = join(this.VOL, 'files');
    mkdirSync(dir, { recursive: true });
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  }

  /** `nix-store --store <root> --add <file>` with real Nix. */
  nixAdd(root: string, name: string, content: string): string {
    return this.nix('nix-store', ['--store', root, '--add', this.file(name, content)]);
  }

  /** Imports an export archive through a Strata store (as `strata import`). */
  async importInto(store: Store, archive: string): Promise<string[]> {
    const paths: string[] = [];
    const input = createReadStream(archive);
    try {
      for await (const item of readExport(input, store.storeDir)) {
        await store.addNar(item.info, item.nar(), { checkSigs: false });
        paths.push(item.info.path);
      }
    } finally {
      // The archive is on the test volume: its descriptor must be gone before the unmount.
      if (!input.closed) {
        // Destroying an unfinished stream emits an AbortError: expected here, not a failure.
        const closed = once(input, 'close').catch(() => {});
        input.destroy();
        await closed;
        if (!input.closed) await once(input, 'close');
      }
    }
    return paths;
  }

  /** `ls-up`: names in the upper layer not starting with `.`. */
  lsUp(): string[] {
    return readdirSync(this.UP)
      .filter((n) => !n.startsWith('.'))
      .sort();
  }

  /** Whiteouts (character devices 0:0) anywhere in the upper layer. */
  whiteouts(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isCharacterDevice()) out.push(p);
        else if (e.isDirectory()) walk(p);
      }
    };
    walk(this.UP);
    return out;
  }

  /** Rows of `query` on the database of the store rooted at `root` (sqlite3, read-only). */
  sql(root: string, query: string): string[][] {
    const out = execFileSync(
      'sqlite3',
      ['-readonly', '-separator', '|', join(root, 'nix/var/nix/db/db.sqlite'), query],
      {
        encoding: 'utf8',
      },
    );
    return out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('|'));
  }

  /** Inode number of `path` (lstat). */
  ino(path: string): number {
    return lstatSync(path).ino;
  }
}

/** `mount -t overlay overlay -o OPTIONS TARGET`. */
export function mount(options: string, target: string): void {
  mkdirSync(target, { recursive: true });
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { stdio: 'pipe' });
}

/** Whether `path` exists (lstat). */
export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes a directory tree writable by its owner (to damage a lower store on purpose). */
export function makeWritable(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, (st.mode & 0o7777) | 0o200 | (st.isDirectory() ? 0o700 : 0));
  if (st.isDirectory()) for (const n of readdirSync(path)) makeWritable(join(path, n));
}

/**
 * Runs `fn` on a fresh tmpfs volume. Afterwards closes the stores, unmounts every mount below
 * the volume (the last mounted first) and the volume itself, then removes it.
 */
export async function withVolume(fn: (env: OverlayEnv) => Promise<void>): Promise<void> {
  const vol = mountVolume();
  const env = new OverlayEnv(vol);
  try {
    await fn(env);
  } finally {
    try {
      await env.closeAll();
    } finally {
      releaseVolume(vol);
    }
  }
}

/** Volumes still mounted; released on exit too, should the process die mid-test. */
const liveVolumes = new Set<string>();
process.on('exit', () => {
  for (const vol of liveVolumes) {
    try {
      releaseVolume(vol);
    } catch {
      // Best effort while exiting: the next test run starts with fresh volumes anyway.
    }
  }
});

/** A fresh tmpfs in a new temporary directory; release it with {@link releaseVolume}. */
export function mountVolume(prefix = 'strata-overlay-store-'): string {
  const vol = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', vol]);
  liveVolumes.add(vol);
  return vol;
}

/** Unmounts everything below `vol`, then `vol`, and removes it. */
export function releaseVolume(vol: string): void {
  unmountBelow(vol);
  execFileSync('umount', [vol]);
  liveVolumes.delete(vol);
  rmSync(vol, { recursive: true, force: true });
}

/** Unmounts every mount at or below `dir`, most recent first. */
export function unmountBelow(dir: string): void {
  const mounts = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .filter((m) => m.mountPoint.startsWith(`${dir}/`))
    .reverse();
  for (const m of mounts) execFileSync('umount', [m.mountPoint]);
}
