import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nix, requires, throwsWith, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { StoreDir } from '../store-path/store-dir.js';
import { parseDerivation, unparseDerivation } from './derivation.js';
import {
  checkDerivationOutputs,
  type DrvHashModulo,
  derivationOutputPaths,
  hashDerivationModulo,
} from './hash-modulo.js';

const test = suite('derivation: parse, unparse, hashDerivationModulo, output checks');
const nixTest = requires(test, NIX);
const dir = new StoreDir('/nix/store');

// The spec's vector (store-format §2.3.4): a derivation without inputs.
const SIMPLE_OUT = '/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple';
const SIMPLE = `Derive([("out","${SIMPLE_OUT}","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo hello > $out"],[("builder","/bin/sh"),("name","simple"),("out","${SIMPLE_OUT}"),("system","x86_64-linux")])`;
const SIMPLE_DRV = '/nix/store/7c20rxrmhkpi82ga10mil18y83mqfz7s-simple.drv';
const noInputs = (p: string): DrvHashModulo => {
  throw new Error(`no input derivation expected, asked for ${p}`);
};

test('the spec vector: masked text, its hash and the output path', () => {
  const drv = parseDerivation(SIMPLE, SIMPLE_DRV, dir);
  assert.is(drv.name, 'simple');
  assert.equal(drv.outputs.get('out'), { kind: 'input-addressed', path: SIMPLE_OUT });
  assert.is(unparseDerivation(drv, dir), SIMPLE);
  assert.is(
    unparseDerivation(drv, dir, { maskOutputs: true }),
    'Derive([("out","","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo hello > $out"],[("builder","/bin/sh"),("name","simple"),("out",""),("system","x86_64-linux")])',
  );
  const modulo = hashDerivationModulo(drv, dir, noInputs, true);
  assert.is(
    modulo.hashes.get('out')!.toBase16(),
    'cbd84a88dac33c14a874f676ab17db2518d565dc03e891ccf9d4be35138ea813',
  );
  checkDerivationOutputs(SIMPLE_DRV, drv, dir, () => modulo);
  assert.equal(derivationOutputPaths(drv, dir), new Map([['out', SIMPLE_OUT]]));
});

test("Nix's reader quirks: first output wins, last variable wins, sorted sets, text after the end", () => {
  const text =
    'Derive([("out","/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-a","",""),("dev","","",""),("out","","","")],' +
    '[("/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-b.drv",["z","a","a"])],' +
    '["/nix/store/zzg18w62cyf774rpxrcwyg7f6fzba5bj-s","/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-s"],' +
    '"sys","/bin/sh\\t",["a\\"b","c\\\\d\\n"],[("v","1"),("e\\x","2"),("v","3")])trailing';
  const drv = parseDerivation(text, '/nix/store/00000000000000000000000000000000-a.drv', dir);
  assert.equal([...drv.outputs.keys()], ['dev', 'out']);
  assert.equal(drv.outputs.get('out'), {
    kind: 'input-addressed',
    path: '/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-a',
  });
  assert.equal(drv.outputs.get('dev'), { kind: 'deferred' });
  assert.equal([...drv.inputDrvs.values()], [['a', 'z']]);
  assert.equal(drv.inputSrcs, [
    '/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-s',
    '/nix/store/zzg18w62cyf774rpxrcwyg7f6fzba5bj-s',
  ]);
  assert.is(drv.builder, '/bin/sh\t');
  assert.equal(drv.args, ['a"b', 'c\\d\n']);
  assert.equal(
    [...drv.env],
    [
      ['ex', '2'],
      ['v', '3'],
    ],
  );
  assert.is(
    unparseDerivation(drv, dir),
    'Derive([("dev","","",""),("out","/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-a","","")],' +
      '[("/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-b.drv",["a","z"])],' +
      '["/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-s","/nix/store/zzg18w62cyf774rpxrcwyg7f6fzba5bj-s"],' +
      '"sys","/bin/sh\\t",["a\\"b","c\\\\d\\n"],[("ex","2"),("v","3")])',
  );
});

test("malformed derivations and impossible output combinations fail with Nix 2.8's words", () => {
  const p = '/nix/store/00000000000000000000000000000000-x.drv';
  const o = `"${SIMPLE_OUT}"`;
  const zeros = '0'.repeat(64);
  const parseCases: [string, string, string][] = [
    [
      'hello',
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '${p}': error: expected string 'Derive(['`,
    ],
    [
      '',
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '${p}': error: expected string 'Derive(['`,
    ],
    [
      `Derive([("out",${o},"",""`,
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '${p}': error: expected string ')'`,
    ],
    [
      `Derive([("out",${o}`,
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '${p}': error: expected string ','`,
    ],
    [
      `Derive([("out",${o},"","")],[],["foo"],"s","b",[],[])`,
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '${p}': error: bad path 'foo' in derivation`,
    ],
    [
      `Derive([("out","nix/x","","")],[],[],"s","b",[],[])`,
      'STRATA_ERR_DRV_PARSE',
      `error parsing derivation '${p}': error: bad path 'nix/x' in derivation`,
    ],
    [
      `Derive([("out",${o},"","")],[],["/tmp/foo"],"s","b",[],[])`,
      'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
      "path '/tmp/foo' is not in the Nix store",
    ],
    [
      `Derive([("out",${o},"sha256","00")],[],[],"s","b",[],[])`,
      'STRATA_ERR_HASH_WRONG_LENGTH',
      "hash '00' has wrong length for hash type 'sha256'",
    ],
    [
      `Derive([("out",${o},"sha3","00")],[],[],"s","b",[],[])`,
      'STRATA_ERR_HASH_UNKNOWN_ALGO',
      "unknown hash algorithm 'sha3'",
    ],
  ];
  for (const [text, code, message] of parseCases) {
    throwsWith(() => parseDerivation(text, p, dir), code as 'STRATA_ERR_DRV_PARSE', message);
  }
  const fixed = (name: string) => `("${name}",${o},"sha256","${zeros}")`;
  const typeCases: [string, string][] = [
    ['Derive([],[],[],"s","b",[],[])', 'must have at least one output'],
    [
      `Derive([${fixed('a')},${fixed('out')}],[],[],"s","b",[],[])`,
      'only one fixed output is allowed for now',
    ],
    [`Derive([${fixed('a')}],[],[],"s","b",[],[])`, 'single fixed output must be named "out"'],
    [
      `Derive([("a",${o},"",""),${fixed('out')}],[],[],"s","b",[],[])`,
      "can't mix derivation output types",
    ],
  ];
  for (const [text, message] of typeCases) {
    const drv = parseDerivation(text, p, dir);
    throwsWith(
      () =>
        checkDerivationOutputs(p, drv, dir, () => hashDerivationModulo(drv, dir, noInputs, true)),
      'STRATA_ERR_DRV_TYPE',
      message,
    );
  }
  let asked = false;
  const floating = 'Derive([("out","","r:sha256","")],[],[],"s","b",[],[])';
  assert.is(parseDerivation(floating, p, dir).outputs.get('out')?.kind, 'floating');
  parseDerivation(floating, p, dir, {
    requireCaDerivations: () => {
      asked = true;
    },
  });
  assert.ok(asked, 'a floating output asks for ca-derivations');
});

test('forged outputs: a wrong path, a wrong or missing variable, a fixed output checked by its variable', () => {
  const forged = SIMPLE.replace(
    `("out","${SIMPLE_OUT}"),`,
    '("out","/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simplx"),',
  );
  const check = (text: string, drvPath: string) => {
    const drv = parseDerivation(text, drvPath, dir);
    checkDerivationOutputs(drvPath, drv, dir, () => hashDerivationModulo(drv, dir, noInputs, true));
  };
  // Verified with nix-store --add (Nix 2.8), as the files simple.drv and simpleenv.drv.
  throwsWith(
    () => check(forged, '/nix/store/qaxyq36xc4z580f22r3j0fa38hiz7w1h-simple.drv'),
    'STRATA_ERR_DRV_BAD_ENV',
    `derivation '/nix/store/qaxyq36xc4z580f22r3j0fa38hiz7w1h-simple.drv' has incorrect environment variable 'out', should be '${SIMPLE_OUT}'`,
  );
  throwsWith(
    () => check(SIMPLE, '/nix/store/xad7k2acbx987avilymp6qgqry8cw3lg-simpleenv.drv'),
    'STRATA_ERR_DRV_BAD_OUTPUT',
    `derivation '/nix/store/xad7k2acbx987avilymp6qgqry8cw3lg-simpleenv.drv' has incorrect output '${SIMPLE_OUT}', should be '/nix/store/hj92nclkxv58n0rxnyg4wjkcrll2jgh9-simpleenv'`,
  );
  const fx = (env: string) =>
    `Derive([("out","/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-fx","sha256","${'0'.repeat(64)}")],[],[],"x86_64-linux","/bin/sh",[],[${env}])`;
  throwsWith(
    () =>
      check(
        fx('("out","/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-fx")'),
        '/nix/store/i86xs70zhan0j03ip9yprk69d2rd3ipj-fx.drv',
      ),
    'STRATA_ERR_DRV_BAD_ENV',
    "derivation '/nix/store/i86xs70zhan0j03ip9yprk69d2rd3ipj-fx.drv' has incorrect environment variable 'out', should be '/nix/store/djwil4wirxzmkg8sl37ywy85x52wsla2-fx'",
  );
  // The path written in a fixed output's entry is not what counts: its hash is.
  const right = fx('("out","/nix/store/djwil4wirxzmkg8sl37ywy85x52wsla2-fx")');
  check(right, '/nix/store/i86xs70zhan0j03ip9yprk69d2rd3ipj-fx.drv');
  assert.equal(
    derivationOutputPaths(
      parseDerivation(right, '/nix/store/i86xs70zhan0j03ip9yprk69d2rd3ipj-fx.drv', dir),
      dir,
    ),
    new Map([['out', '/nix/store/djwil4wirxzmkg8sl37ywy85x52wsla2-fx']]),
  );
});

const GRAPH = `
let
  sys = "x86_64-linux";
  mk = name: deps: derivation { inherit name; system = sys; builder = "/bin/sh"; args = ["-c" "echo \${toString deps} > $out"]; };
  fx = derivation { name = "fx"; system = sys; builder = "/bin/sh"; args = ["-c" "echo x > $out"]; outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = builtins.hashString "sha256" "x\\n"; };
  fxr = derivation { name = "fxr"; system = sys; builder = "/bin/sh"; args = ["-c" "mkdir $out"]; outputHashMode = "recursive"; outputHashAlgo = "sha1"; outputHash = "0000000000000000000000000000000000000000"; };
  fx5 = derivation { name = "fx5"; system = sys; builder = "/bin/sh"; args = ["-c" "echo"]; outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = "1111111111111111111111111111111111111111111111111111111111111111"; };
  multi = derivation { name = "multi"; outputs = ["out" "dev" "lib"]; system = sys; builder = "/bin/sh"; args = ["-c" "echo \${fx} \${fxr} > $out; echo > $dev; echo > $lib"]; esc = "q\\"uo\\\\te\\n\\ttab"; };
  a = mk "a" [];
  b = mk "b" [a fx fx5];
  c = mk "c" [b multi.dev multi.lib a];
in derivation { name = "d"; system = sys; builder = "/bin/sh"; args = ["-c" "echo \${c} \${multi} \${builtins.toFile "f" "txt"} > $out"]; }
`;

nixTest(
  'every derivation Nix writes: the same text back, the outputs it shows, a clean check',
  () =>
    withTempDir((tmp) => {
      const root = join(tmp, 'store');
      const file = join(tmp, 'graph.nix');
      writeFileSync(file, GRAPH);
      nix('nix-instantiate', ['--store', root, file]);
      const real = join(root, 'nix/store');
      const drvs = readdirSync(real).filter((n) => n.endsWith('.drv'));
      assert.ok(drvs.length >= 8, `${drvs.length} derivations`);
      const read = (p: string) => readFileSync(join(real, p.slice('/nix/store/'.length)), 'utf8');
      const modulo = new Map<string, DrvHashModulo>();
      const inputModulo = (p: string): DrvHashModulo => {
        let h = modulo.get(p);
        if (h === undefined) {
          h = hashDerivationModulo(parseDerivation(read(p), p, dir), dir, inputModulo, false);
          modulo.set(p, h);
        }
        return h;
      };
      for (const name of drvs) {
        const path = `/nix/store/${name}`;
        const text = read(path);
        const drv = parseDerivation(text, path, dir);
        assert.is(unparseDerivation(drv, dir), text, name);
        checkDerivationOutputs(path, drv, dir, () =>
          hashDerivationModulo(drv, dir, inputModulo, true),
        );
        const shown = JSON.parse(nix('nix', ['show-derivation', '--store', root, path]))[path];
        const expected = Object.entries(shown.outputs as Record<string, { path?: string }>)
          .map(([o, v]) => [o, v.path] as [string, string])
          .sort(([x], [y]) => (x < y ? -1 : 1));
        assert.equal([...derivationOutputPaths(drv, dir)], expected, name);
      }
      // The same derivation with one output path changed: refused, with the path it should have.
      const c = drvs.find((n) => n.endsWith('-c.drv'))!;
      const drv = parseDerivation(read(`/nix/store/${c}`), `/nix/store/${c}`, dir);
      const out = (drv.outputs.get('out') as { path: string }).path;
      const forged = read(`/nix/store/${c}`).replace(
        `"${out}"`,
        `"${out.slice(0, 11)}a${out.slice(12)}"`,
      );
      try {
        const bad = parseDerivation(forged, `/nix/store/${c}`, dir);
        checkDerivationOutputs(`/nix/store/${c}`, bad, dir, () =>
          hashDerivationModulo(bad, dir, inputModulo, true),
        );
        assert.unreachable('a forged output path is refused');
      } catch (e) {
        assert.ok(isStrataError(e, 'STRATA_ERR_DRV_BAD_OUTPUT'), String(e));
        assert.ok(e.message.endsWith(`should be '${out}'`), e.message);
      }
    }),
);

test.run();
