/**
 * `auto`: which store a reference of `""`/`auto` means (spec/config-and-urls.md §2.3, master's
 * algorithm): the local store when its state directory is writable, else the daemon when its
 * socket exists, else (Linux, unprivileged, nothing configured, no state directory) a chroot
 * store under the user's data directory, else the local store (which will then fail).
 * Only looks at the file system; creates nothing.
 *
 * @example
 *   selectAutoStore(new Map(), process.env)
 *   // { scheme: 'local', params: Map {} }  when /nix/var/nix is writable
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { canonicalisePath } from '../settings/paths.js';

/** File system probes, replaceable in tests. */
export interface AutoProbe {
  /** `access(path, R_OK | W_OK)` succeeds. */
  canReadWrite(path: string): boolean;
  exists(path: string): boolean;
  /** Effective user id (0 = root). */
  uid(): number;
  platform(): NodeJS.Platform;
}

/** The probes on the real file system. */
export const REAL_AUTO_PROBE: AutoProbe = {
  canReadWrite(path) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
  exists: (path) => existsSync(path),
  uid: () => process.getuid?.() ?? 0,
  platform: () => process.platform,
};

/** What `auto` resolved to. */
export interface AutoSelection {
  readonly scheme: 'local' | 'unix';
  readonly params: ReadonlyMap<string, string>;
  /** Nix's notice when it falls back to a chroot store that does not exist yet. */
  readonly warning?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The state directory a local-FS config with `params` would use. */
function stateDirOf(params: ReadonlyMap<string, string>, env: Env): string {
  const state = params.get('state');
  if (state) return canonicalisePath(state) ?? state;
  const root = params.get('root');
  if (root) return canonicalisePath(`${root}/nix/var/nix`) ?? `${root}/nix/var/nix`;
  return nonEmpty(env, 'NIX_STATE_DIR') ?? '/nix/var/nix';
}

/** The directory master's chroot fallback puts its `root` in. */
export function nixDataDir(env: Env): string {
  const explicit = nonEmpty(env, 'NIX_DATA_HOME');
  if (explicit) return explicit;
  const xdg = nonEmpty(env, 'XDG_DATA_HOME');
  if (xdg) return `${xdg}/nix`;
  return `${nonEmpty(env, 'HOME') ?? homedir()}/.local/share/nix`;
}

/** Chooses the store `auto` (with `params`) stands for. */
export function selectAutoStore(
  params: ReadonlyMap<string, string>,
  env: Env,
  probe: AutoProbe = REAL_AUTO_PROBE,
): AutoSelection {
  const stateDir = stateDirOf(params, env);
  if (probe.canReadWrite(stateDir)) return { scheme: 'local', params };
  const socket = nonEmpty(env, 'NIX_DAEMON_SOCKET_PATH') ?? `${stateDir}/daemon-socket/socket`;
  if (probe.exists(socket)) return { scheme: 'unix', params };
  if (
    probe.platform() === 'linux' &&
    !probe.exists(stateDir) &&
    params.size === 0 &&
    probe.uid() !== 0 &&
    env.NIX_STORE_DIR === undefined &&
    env.NIX_STATE_DIR === undefined
  ) {
    const chroot = `${nixDataDir(env)}/root`;
    return {
      scheme: 'local',
      params: new Map([['root', chroot]]),
      ...(probe.exists(chroot)
        ? {}
        : {
            warning: `"${stateDir}" does not exist, so Nix will use "${chroot}" as a chroot store`,
          }),
    };
  }
  return { scheme: 'local', params };
}
