/**
 * The fingerprint of a path info: the exact bytes a signature signs (spec store-format §7.2).
 *
 *   1;<store path>;<narHash as algo:nix32>;<narSize>;<references, sorted, comma-joined>
 *
 * @example
 *   fingerprintPathInfo(info);
 *   // '1;/nix/store/xrab…-hello.txt;sha256:1kky…fjaq;128;'  (trailing ';' without references)
 */
import { strataError } from '../errors.js';
import { type PathInfo, sortedReferences } from './path-info.js';

/**
 * The string Nix signs for `info`. Fails with
 * `cannot calculate fingerprint of path '<p>' because its size is not known` when narSize is 0.
 */
export function fingerprintPathInfo(
  info: Pick<PathInfo, 'path' | 'narHash' | 'narSize' | 'references'>,
): string {
  if (info.narSize === 0) throw strataError('STRATA_ERR_SIG_UNKNOWN_SIZE', { path: info.path });
  return [
    '1',
    info.path,
    info.narHash.toString('base32', true),
    String(info.narSize),
    sortedReferences(info.references).join(','),
  ].join(';');
}
