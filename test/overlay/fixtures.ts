/**
 * The fixtures of spec/local-overlay.md §5.2, made with real Nix 2.8 in a scratch store on the
 * test volume: FX-dummy and the other flat files (contents and expected paths), FX-graph
 * (`loaddb.txt` → `lower.export`, `tool-closure.export`, byte-identical to the spec's), and a
 * small derivation set standing in for FX-hermetic (three inputs and a top derivation built
 * with `/bin/sh`; paths are this machine's, so they are computed, not hard-coded).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OverlayEnv } from './env.js';

const S = '/nix/store';
export const LIB = `${S}/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-lib`;
export const APP = `${S}/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-app`;
export const APP2 = `${S}/dddddddddddddddddddddddddddddddd-app2`;
export const TOOL = `${S}/ffffffffffffffffffffffffffffffff-tool`;

/** Flat files: name, content, store path (spec §5.2, verified with Nix 2.8). */
export const FLAT = {
  dummy: { content: 'Hello World\n', path: `${S}/55vdgsrbm0583d34lylslncb1xc7yvl8-dummy` },
  'dup-file': { content: 'Duplicate\n', path: `${S}/vdlpk1imsclmmz7s9k0fa9wjgdw3drhg-dup-file` },
  dupfile: { content: 'duplicate me\n', path: `${S}/pqif2s3gs456vsckd0z49050a287nhqq-dupfile` },
  'lower-only': {
    content: 'Only in lower store\n',
    path: `${S}/1ak5xryfl21pgnmw1ws7mgwixqjkzjdv-lower-only`,
  },
  'overlay-file': {
    content: 'Add to overlay store\n',
    path: `${S}/5w420l8f9836mjbk34cz665np3ymzwnr-overlay-file`,
  },
  'lower-file': {
    content: 'Add to lower store\n',
    path: `${S}/ql7zqmxb1i0psw6q0wiv2szvk15hnvn1-lower-file`,
  },
} as const;

/** `loaddb.txt` of §5.2 (674 bytes). */
export const LOADDB = `${LIB}
cf46f9b8e16b04f343ef1babee8d683c6e8b4b0b9c7df4a16bf79f8ac1055ed6
296

0
${APP}
dc0b4c1cc7a4d15cde1cdbd774453da4b4bfd48e2f9c02d0941d20f917338dc0
168

1
${LIB}
${APP2}
30dbf6771e3275fa165b586e4d4fa07af6bbdab90cfbc5cee52caabf6da13626
176

1
${LIB}
${TOOL}
56352b81edd8776b6e0c6e33290e706693cb40599214e4b871065f5ef5d025bf
224

2
${APP}
${LIB}
`;

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Paths of the FX-graph archives. */
export interface GraphFixture {
  readonly lowerExport: string;
  readonly toolClosureExport: string;
}

/** Builds FX-graph in `<VOL>/fixture` with Nix 2.8's `--load-db` and `--export`. */
export function makeGraphFixture(env: OverlayEnv): GraphFixture {
  const F = join(env.VOL, 'fixture');
  const store = join(F, 'nix/store');
  mkdirSync(join(store, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-lib'), { recursive: true });
  writeFileSync(join(store, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-lib/lib.txt'), 'libcontent\n');
  writeFileSync(join(F, APP), `uses ${LIB}\n`);
  writeFileSync(join(F, APP2), `also uses ${LIB}\n`);
  writeFileSync(join(F, TOOL), `runs ${APP} and ${LIB}\n`);
  for (const p of [LIB, `${LIB}/lib.txt`, APP, APP2, TOOL]) {
    chmodSync(join(F, p), p === LIB ? 0o555 : 0o444);
  }
  env.nix('nix-store', ['--store', F, '--load-db'], Buffer.from(LOADDB));
  const lowerExport = join(env.VOL, 'lower.export');
  const toolClosureExport = join(env.VOL, 'tool-closure.export');
  writeFileSync(lowerExport, exportRaw(env, F, [LIB, APP, APP2]));
  writeFileSync(toolClosureExport, exportRaw(env, F, [LIB, APP, TOOL]));
  return { lowerExport, toolClosureExport };
}

function exportRaw(env: OverlayEnv, root: string, paths: string[]): Buffer {
  return env.nixBytes('nix-store', ['--store', root, '--export', ...paths]);
}

/** `nix-store --store <root> --import < archive`. */
export function nixImport(env: OverlayEnv, root: string, archive: string): string {
  return env.nix('nix-store', ['--store', root, '--import'], readFileSync(archive));
}

/** The derivation set standing in for FX-hermetic (see the module comment). */
export const HERMETIC_NIX = `{ seed ? 1, withFinalRefs ? false }:
let
  mk = name: script: derivation {
    inherit name; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" script ];
  };
  input1 = mk "hermetic-input-1" "echo seed-\${toString seed} > $out";
  input2 = mk "hermetic-input-2" "echo hello > $out";
  input3 = mk "hermetic-input-3" "read x < \${input2}; echo \\"$x \${input2}\\" > $out";
  top = mk "hermetic" (if withFinalRefs
    then "read a < \${input1}; read b < \${input3}; echo \\"\${input1} \${input3} $a $b\\" > $out"
    else "read a < \${input1}; read b < \${input3}; echo \\"$a $b\\" > $out");
in top // { inherit input1 input2 input3; }
`;

/** Writes the expression and returns its file. */
export function hermeticExpression(env: OverlayEnv): string {
  return env.file('hermetic.nix', HERMETIC_NIX);
}

/** Builds `attr` (top when empty) of the expression into the chroot store `root`; returns out. */
export function nixBuild(env: OverlayEnv, root: string, args: string[]): string {
  return env.nix('nix-build', ['--store', root, hermeticExpression(env), '--no-out-link', ...args]);
}
