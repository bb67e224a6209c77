/**
 * Where Nix looks for nix.conf (spec/config-and-urls.md §4.1, §7), computed from an
 * environment so that tests and the CLI pass their own:
 *
 * - system: `$NIX_CONF_DIR/nix.conf` (`/etc/nix` when unset or, as in master, empty);
 * - user: the `:`-separated `$NIX_USER_CONF_FILES` (empty entries dropped) if set, else
 *   `$XDG_CONFIG_HOME/nix/nix.conf` (default `$HOME/.config`) then `<dir>/nix/nix.conf` for
 *   each `<dir>` of `$XDG_CONFIG_DIRS` (default `/etc/xdg`).
 *
 * User files are listed most important first; Nix applies them in reverse so the first wins.
 *
 * @example
 *   userNixConfFiles({ HOME: '/home/a' })
 *   // ['/home/a/.config/nix/nix.conf', '/etc/xdg/nix/nix.conf']
 */
import { userInfo } from 'node:os';
import { canonicalisePath } from '@strata/core';

/** An environment, as `process.env` or a test's object. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The directory of the system nix.conf (also the base of `builders` and `netrc-file`). */
export function nixConfDir(env: Env): string {
  const dir = env.NIX_CONF_DIR;
  // 2.8 canonicalises the variable (and asserts on an empty one; master treats empty as unset).
  if (!dir) return '/etc/nix';
  return canonicalisePath(dir) ?? dir;
}

/** `$NIX_CONF_DIR/nix.conf`. */
export function systemNixConfFile(env: Env): string {
  const dir = nixConfDir(env);
  return dir === '/' ? '/nix.conf' : `${dir}/nix.conf`;
}

/** The home directory: `$HOME`, else the password database entry of the current user. */
export function homeDir(env: Env): string {
  if (env.HOME !== undefined) return env.HOME;
  try {
    return userInfo().homedir;
  } catch {
    return '/';
  }
}

/** `$XDG_CONFIG_HOME`, defaulting to `$HOME/.config` (an empty value is kept, as in Nix). */
export function xdgConfigHome(env: Env): string {
  return env.XDG_CONFIG_HOME ?? `${homeDir(env)}/.config`;
}

/** The user nix.conf files, most important first. */
export function userNixConfFiles(env: Env): string[] {
  if (env.NIX_USER_CONF_FILES !== undefined) {
    return env.NIX_USER_CONF_FILES.split(':').filter((f) => f !== '');
  }
  const dirs = (env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':').filter((d) => d !== '');
  return [`${xdgConfigHome(env)}/nix/nix.conf`, ...dirs.map((d) => `${d}/nix/nix.conf`)];
}
