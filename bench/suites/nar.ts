/**
 * NAR hashing and dumping (issue #2): `strata hash path` vs `nix-hash --type sha256`, and
 * `strata nar dump` vs `nix-store --dump`, on a 1 GiB file and a 50k-file ~300 MB tree.
 * Targets: ratio ≤ 1.0; peak RSS ≤ 100 MB for the 1 GiB file (streams, not buffers).
 */
import { bigFile, bigTree } from '../fixtures.js';
import { type ComparisonResult, compare } from '../harness.js';

export function run(rounds: number): ComparisonResult[] {
  const file = bigFile();
  const tree = bigTree();
  return [
    compare({
      name: 'nar hash, 1 GiB file',
      strata: ['strata', 'hash', 'path', '--base16', file],
      nix: ['nix-hash', '--type', 'sha256', file],
      rounds,
      target: 1.0,
      rssTargetMiB: 100,
    }),
    compare({
      name: 'nar hash, 50k-file tree',
      strata: ['strata', 'hash', 'path', '--base16', tree],
      nix: ['nix-hash', '--type', 'sha256', tree],
      rounds,
      target: 1.0,
    }),
    compare({
      name: 'nar dump, 1 GiB file',
      strata: ['strata', 'nar', 'dump', file],
      nix: ['nix-store', '--dump', file],
      rounds,
      target: 1.0,
      rssTargetMiB: 100,
    }),
    compare({
      name: 'nar dump, 50k-file tree',
      strata: ['strata', 'nar', 'dump', tree],
      nix: ['nix-store', '--dump', tree],
      rounds,
      target: 1.0,
    }),
  ];
}
