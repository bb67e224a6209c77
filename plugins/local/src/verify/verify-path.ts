/**
 * `nix-store --verify-path PATH…` (spec store-format §10): re-hashes each given valid path
 * and reports every one whose NAR hash differs from the database's, without repairing. A path
 * that is not valid, or whose files are gone, fails the whole operation as it does in Nix
 * (`path '<p>' is not valid`, `getting status of '<real>': No such file or directory`).
 *
 * @example
 *   const r = await verifyPaths(ctx, ['/nix/store/…-hello.txt'], { log: console.error });
 *   // path '/nix/store/…-hello.txt' was modified! expected hash 'sha256:…', got 'sha256:…'
 *   process.exitCode = r.errors ? 1 : 0;
 */
import type { StoreActivity, VerifyResult } from '@strata/core/store';
import { narHashOfObject } from '@strata/native';
import { realPath } from '../layout/locations.js';
import type { LocalStoreContext } from '../store/context.js';

/** Checks the contents of `paths` (logical store paths) against their recorded NAR hashes. */
export async function verifyPaths(
  ctx: LocalStoreContext,
  paths: readonly string[],
  activity: StoreActivity = {},
): Promise<VerifyResult> {
  const queries = ctx.database({ writable: !ctx.readOnly }).queries;
  const messages: string[] = [];
  activity.progress?.(0, paths.length);
  for (const [i, path] of paths.entries()) {
    const info = queries.queryPathInfo(path);
    const current = await narHashOfObject(realPath(ctx.locations, path), info.narHash.algorithm);
    if (!current.hash.equals(info.narHash)) {
      const line = `path '${path}' was modified! expected hash '${info.narHash.toString('base32')}', got '${current.hash.toString('base32')}'`;
      messages.push(line);
      activity.log?.(line);
    }
    activity.progress?.(i + 1, paths.length);
  }
  return { errors: messages.length > 0, messages };
}
