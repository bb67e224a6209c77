import { execFileSync, spawnSync } from 'node:child_process';
import type { Requirement } from './skip.js';

let nixVersion: string | null | undefined;

/** The installed Nix version (`2.8.0`), or null when there is no Nix on PATH. */
export function installedNixVersion(): string | null {
  if (nixVersion === undefined) {
    const r = spawnSync('nix-store', ['--version'], { encoding: 'utf8' });
    nixVersion = r.status === 0 ? (/(\d+\.\d+(\.\d+)?)/.exec(r.stdout)?.[1] ?? null) : null;
  }
  return nixVersion;
}

/** Real Nix (the oracle) is installed. */
export const NIX: Requirement = {
  name: 'nix',
  check: () =>
    installedNixVersion() === null
      ? 'needs Nix 2.8 (nix-bin) on PATH; `pnpm test` installs it when run as root'
      : null,
};

/** Runs a Nix command and returns its stdout as bytes; throws with stderr on failure. */
export function nixRaw(cmd: string, args: string[], input?: Uint8Array): Buffer {
  return execFileSync(cmd, args, {
    input,
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
  });
}

/** Runs a Nix command and returns its trimmed stdout. */
export function nix(cmd: string, args: string[], input?: Uint8Array): string {
  return nixRaw(cmd, args, input).toString('utf8').trim();
}

/** Runs a Nix command expected to fail; returns its exit code and stderr. */
export function nixFails(
  cmd: string,
  args: string[],
  input?: Uint8Array,
): { status: number | null; stderr: string } {
  const r = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, NIX_CONFIG: 'experimental-features = nix-command' },
  });
  return { status: r.status, stderr: r.stderr };
}
