/**
 * `strata store-path …`: store-path arithmetic without a store — parse and validate paths,
 * and compute the path Nix would give an object (`nix-store --print-fixed-path`, the path of
 * `nix-store --add`, of `builtins.toFile`, of a derivation output).
 */
import { basename, resolve } from 'node:path';
import { hashFile, hashStream, parseHashAlgorithm, parseHashAny } from '@strata/core/hash';
import {
  makeFixedOutputPath,
  makeOutputPath,
  makeSourcePath,
  makeTextPath,
  StoreDir,
  type StorePath,
} from '@strata/core/store-path';
import { narHashOfObject } from '@strata/native';
import { Command } from 'commander';
import { type CliContext, printJson, println } from '../context.js';

interface DirOpts {
  storeDir: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function withStoreDir(cmd: Command): Command {
  return cmd.option('--store-dir <dir>', 'logical store directory', '/nix/store');
}

function withRefs(cmd: Command): Command {
  return cmd.option('--ref <path>', 'a store path the object refers to (repeatable)', collect, []);
}

function parseRefs(dir: StoreDir, refs: string[]): StorePath[] {
  return refs.map((r) => dir.parsePath(r));
}

export function register(program: Command, ctx: CliContext): void {
  const sp = program
    .command('store-path')
    .description('parse store paths and compute the path Nix gives an object');

  withStoreDir(
    sp
      .command('parse')
      .description('validate store paths and show their hash part and name')
      .argument('<paths...>', 'full store paths'),
  ).action((paths: string[], opts: DirOpts) => {
    const dir = new StoreDir(opts.storeDir);
    const parsed = paths.map((p) => dir.parsePath(p));
    if (ctx.flags.json) {
      printJson(
        ctx,
        parsed.map((s) => ({
          path: dir.print(s),
          hashPart: s.hashPart,
          name: s.name,
          isDerivation: s.isDerivation,
        })),
      );
    } else {
      for (const s of parsed) println(ctx, `${dir.print(s)}\t${s.hashPart}\t${s.name}`);
    }
  });

  withStoreDir(
    sp
      .command('fixed')
      .description('the path of a fixed-output object (like nix-store --print-fixed-path)')
      .argument('<algo>', 'md5, sha1, sha256 or sha512')
      .argument('<hash>', 'the content hash (base16, Nix32, base64 or SRI)')
      .argument('<name>', 'the name of the object')
      .option('--recursive', 'the hash is of the NAR, not of the flat file'),
  ).action((algo: string, hash: string, name: string, opts: DirOpts & { recursive?: boolean }) => {
    const dir = new StoreDir(opts.storeDir);
    const h = parseHashAny(hash, parseHashAlgorithm(algo));
    const method = opts.recursive ? 'recursive' : 'flat';
    println(ctx, dir.print(makeFixedOutputPath(name, { method, hash: h }, [], false, dir)));
  });

  withRefs(
    withStoreDir(
      sp
        .command('source')
        .description('the path `nix-store --add PATH` gives a file or tree (NAR SHA-256)')
        .argument('<path>', 'file, symlink or directory')
        .option('--name <name>', 'object name (default: the base name of PATH)'),
    ),
  ).action(async (path: string, opts: DirOpts & { name?: string; ref: string[] }) => {
    const dir = new StoreDir(opts.storeDir);
    const abs = resolve(ctx.cwd, path);
    const name = opts.name ?? basename(abs);
    // The name is checked by makeSourcePath, with the hash part in the message (as Nix does).
    const { hash } = await narHashOfObject(abs);
    println(ctx, dir.print(makeSourcePath(name, hash, parseRefs(dir, opts.ref), false, dir)));
  });

  withRefs(
    withStoreDir(
      sp
        .command('text')
        .description('the path of a text object with these contents (like builtins.toFile)')
        .argument('<name>', 'object name')
        .argument('<file>', "file holding the contents, or '-' for stdin"),
    ),
  ).action(async (name: string, file: string, opts: DirOpts & { ref: string[] }) => {
    const dir = new StoreDir(opts.storeDir);
    // The name is checked by makeTextPath, with the hash part in the message (as Nix does).
    const hash =
      file === '-'
        ? await hashStream('sha256', ctx.stdin)
        : await hashFile('sha256', resolve(ctx.cwd, file));
    println(ctx, dir.print(makeTextPath(name, hash, parseRefs(dir, opts.ref), dir)));
  });

  withStoreDir(
    sp
      .command('output')
      .description('the path of an input-addressed derivation output')
      .argument('<drv-hash>', 'hashDerivationModulo of the derivation (sha256)')
      .argument('<drv-name>', 'the derivation name')
      .option('--output <name>', 'output name', 'out'),
  ).action((drvHash: string, drvName: string, opts: DirOpts & { output: string }) => {
    const dir = new StoreDir(opts.storeDir);
    const h = parseHashAny(drvHash, 'sha256');
    println(ctx, dir.print(makeOutputPath(opts.output, h, drvName, dir)));
  });
}
