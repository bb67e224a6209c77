/**
 * Machine- and environment-specific defaults of global settings, computed the way Nix 2.8
 * computes them at start-up: CPU count, system type, `system-features` (`kvm` when /dev/kvm is
 * usable), `extra-platforms` (x86-64 micro-architecture levels from the CPU flags), the
 * default `nix-path`, and the paths derived from `NIX_CONF_DIR` and Nix's installation.
 * Everything here only reads.
 *
 * @example
 *   nixSystem()              // 'x86_64-linux'
 *   defaultSystemFeatures()  // ['benchmark', 'big-parallel', 'kvm', 'nixos-test']
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync } from 'node:fs';
import { availableParallelism, cpus, release } from 'node:os';
import { posix } from 'node:path';
import { canonicalisePath } from '@strata/core';
import { type Env, homeDir, nixConfDir } from './nix-conf/locations.js';

/** The number of online CPUs (Nix: `std::thread::hardware_concurrency()`, at least 1). */
export function cpuCount(): number {
  return Math.max(1, cpus().length || availableParallelism());
}

const ARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  ia32: 'i686',
  arm: 'armv7l',
  riscv64: 'riscv64',
  ppc64: 'powerpc64le',
  s390x: 's390x',
};

/** Nix's name for this platform: `x86_64-linux`, `aarch64-darwin`, … */
export function nixSystem(): string {
  const arch = ARCH[process.arch] ?? process.arch;
  return `${arch}-${process.platform}`;
}

/** True under WSL1, whose kernel release ends in `-Microsoft` (SQLite WAL does not work there). */
export function isWsl1(): boolean {
  return process.platform === 'linux' && release().endsWith('-Microsoft');
}

/** True when the process runs as root (then `build-users-group` defaults to `nixbld`). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Nix's always-present pseudo-features, plus `kvm` when /dev/kvm is readable and writable. */
export function defaultSystemFeatures(): string[] {
  const features = ['benchmark', 'big-parallel', 'nixos-test'];
  if (process.platform === 'linux') {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
      features.push('kvm');
    } catch {
      // no usable KVM: the feature is simply absent
    }
  }
  return features.sort();
}

// The x86-64 micro-architecture levels as Nix's compute-levels.cc tests them (/proc/cpuinfo
// names: `pni` is SSE3, `abm` includes LZCNT).
const LEVELS: readonly (readonly string[])[] = [
  ['cmov', 'cx8', 'fpu', 'fxsr', 'mmx', 'sse', 'sse2'],
  ['cx16', 'lahf_lm', 'popcnt', 'pni', 'ssse3', 'sse4_1', 'sse4_2'],
  ['avx', 'avx2', 'f16c', 'fma', 'abm', 'movbe'],
  ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'],
];

function x86Levels(): string[] {
  let flags: Set<string>;
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    flags = new Set(line.trim().split(/\s+/));
  } catch {
    return [];
  }
  const levels: string[] = [];
  for (let i = 0; i < LEVELS.length; i++) {
    if (!LEVELS[i]!.every((f) => flags.has(f))) break;
    levels.push(`x86_64-v${i + 1}`);
  }
  return levels;
}

/** Platforms this machine can build for besides its own (Nix's `getDefaultExtraPlatforms`). */
export function defaultExtraPlatforms(): string[] {
  const system = nixSystem();
  const out: string[] = [];
  if (system === 'x86_64-linux') {
    if (!isWsl1()) out.push('i686-linux');
    out.push(...x86Levels().map((l) => `${l}-linux`));
  } else if (process.platform === 'darwin') {
    const rosetta = [
      '/Library/Apple/System/Library/LaunchDaemons/com.apple.oahd.plist',
      '/System/Library/LaunchDaemons/com.apple.oahd.plist',
    ].some((p) => existsSync(p));
    if (rosetta && system === 'x86_64-darwin') out.push('aarch64-darwin');
    if (rosetta && system === 'aarch64-darwin') out.push('x86_64-darwin');
  }
  return out.sort();
}

/**
 * Nix's libexec directory: `$NIX_LIBEXEC_DIR`, else `<prefix>/libexec` of the Nix whose
 * `nix-store` is on `PATH` (Debian: `/usr/libexec`), else `/usr/libexec`.
 */
export function nixLibexecDir(env: Env): string {
  if (env.NIX_LIBEXEC_DIR) return canonicalisePath(env.NIX_LIBEXEC_DIR) ?? env.NIX_LIBEXEC_DIR;
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir.startsWith('/')) continue;
    const candidate = posix.join(dir, 'nix-store');
    if (!existsSync(candidate)) continue;
    try {
      return posix.join(posix.dirname(posix.dirname(realpathSync(candidate))), 'libexec');
    } catch {
      // unreadable link: try the next PATH entry
    }
  }
  return '/usr/libexec';
}

/** `builders`: `@$NIX_CONF_DIR/machines`, or `@f` for each file of `$NIX_REMOTE_SYSTEMS`. */
export function defaultBuilders(env: Env): string {
  if (env.NIX_REMOTE_SYSTEMS !== undefined) {
    return env.NIX_REMOTE_SYSTEMS.split(':')
      .filter((f) => f !== '')
      .map((f) => `@${f}`)
      .join(' ');
  }
  return `@${nixConfDir(env)}/machines`;
}

/** Nix's global state directory (`$NIX_STATE_DIR`, default `/nix/var/nix`). */
export function nixStateDir(env: Env): string {
  return (env.NIX_STATE_DIR && canonicalisePath(env.NIX_STATE_DIR)) || '/nix/var/nix';
}

const NIX_PATH_URI_SCHEMES = ['http', 'https', 'file', 'channel', 'git', 's3', 'ssh'];

function isNixPathUri(s: string): boolean {
  if (s.startsWith('channel:')) return true;
  const i = s.indexOf('://');
  return i !== -1 && NIX_PATH_URI_SCHEMES.includes(s.slice(0, i));
}

/**
 * Splits `NIX_PATH` as Nix does: at `:`, except the `:` of a URI (`nixpkgs=https://…`,
 * `channel:…`) which stays inside its entry.
 */
export function parseNixPath(s: string): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < s.length) {
    const start = p;
    let start2 = p;
    while (p < s.length && s[p] !== ':') {
      if (s[p] === '=') start2 = p + 1;
      p++;
    }
    if (p === s.length) {
      if (p !== start) out.push(s.slice(start, p));
      break;
    }
    if (isNixPathUri(s.slice(start2))) {
      p++;
      while (p < s.length && s[p] !== ':') p++;
    }
    out.push(s.slice(start, p));
    if (p === s.length) break;
    p++;
  }
  return out;
}

/** `nix-path`: `$NIX_PATH` split, else the channel directories that exist. */
export function defaultNixPath(env: Env): string[] {
  if (env.NIX_PATH !== undefined) return parseNixPath(env.NIX_PATH);
  const state = nixStateDir(env);
  const candidates: Array<[string, string]> = [
    [`${homeDir(env)}/.nix-defexpr/channels`, ''],
    [`${state}/profiles/per-user/root/channels/nixpkgs`, 'nixpkgs'],
    [`${state}/profiles/per-user/root/channels`, ''],
  ];
  return candidates.filter(([p]) => existsSync(p)).map(([p, name]) => (name ? `${name}=${p}` : p));
}
