/**
 * `strata hash path|file|convert`: the hashes Nix computes, printed as `nix hash` prints them
 * (SRI by default; `--base16`, `--base32`, `--base64`, `--sri`, the last one given wins).
 */
import { resolve } from 'node:path';
import { strataError } from '@strata/core/errors';
import {
  type Hash,
  type HashAlgorithm,
  type HashEncoding,
  hashFile,
  parseHashAlgorithm,
  parseHashAny,
} from '@strata/core/hash';
import { narHashOfObject } from '@strata/native';
import { Command } from 'commander';
import { type CliContext, printLines, println } from '../context.js';

/** Adds the encoding flags; returns a getter for the one given last (default `fallback`). */
function encodingFlags(cmd: Command, fallback: HashEncoding): () => HashEncoding {
  let chosen = fallback;
  for (const enc of ['base16', 'base32', 'base64', 'sri'] as const) {
    cmd.option(`--${enc}`, `print the hash in ${enc === 'sri' ? 'SRI' : enc} form`);
    cmd.on(`option:${enc}`, () => {
      chosen = enc;
    });
  }
  return () => chosen;
}

function typeFlag(cmd: Command, description: string, fallback?: string): Command {
  return cmd.option('--type <algo>', description, fallback);
}

/** Renders like `nix hash`: SRI with its prefix, the other encodings bare. */
function render(hash: Hash, encoding: HashEncoding): string {
  return encoding === 'sri' ? hash.toSri() : hash.toString(encoding, false);
}

function hashCommand(
  name: 'path' | 'file',
  ctx: CliContext,
  compute: (algo: HashAlgorithm, path: string) => Promise<Hash>,
  summary: string,
): Command {
  const cmd = new Command(name).description(summary).argument('<paths...>', 'files or directories');
  typeFlag(cmd, 'hash algorithm: md5, sha1, sha256 or sha512', 'sha256');
  const encoding = encodingFlags(cmd, 'sri');
  cmd.action(async (paths: string[], opts: { type: string }) => {
    const algo = parseHashAlgorithm(opts.type);
    for (const p of paths) {
      // As given when it resolves the same: Nix names the path in errors as the user wrote it.
      const path = ctx.cwd === process.cwd() ? p : resolve(ctx.cwd, p);
      println(ctx, render(await compute(algo, path), encoding()));
    }
  });
  return cmd;
}

export function register(program: Command, ctx: CliContext): void {
  const hash = program.command('hash').description('compute and convert hashes as Nix does');
  hash.addCommand(
    hashCommand(
      'path',
      ctx,
      async (algo, path) => (await narHashOfObject(path, algo)).hash,
      'hash the NAR serialisation of a path (like nix hash path / nix-hash)',
    ),
  );
  hash.addCommand(
    hashCommand(
      'file',
      ctx,
      (algo, path) => hashFile(algo, path),
      'hash the contents of a file (like nix hash file / nix-hash --flat)',
    ),
  );
  const convert = new Command('convert')
    .description(
      'convert hashes between base16, Nix32 (base32), base64 and SRI (like nix hash to-*)',
    )
    .argument('<hashes...>', 'hashes, with an algo: or SRI prefix unless --type is given');
  typeFlag(convert, 'hash algorithm of hashes given without a prefix');
  convert.option('--to <encoding>', 'base16, base32 (Nix32), base64 or sri', 'sri');
  convert.action((hashes: string[], opts: { type?: string; to: string }) => {
    if (!['base16', 'base32', 'base64', 'sri', 'nix32'].includes(opts.to)) {
      throw strataError('STRATA_ERR_CLI_USAGE', {
        message: `unknown hash encoding '${opts.to}' (expected base16, base32, nix32, base64 or sri)`,
      });
    }
    const to = (opts.to === 'nix32' ? 'base32' : opts.to) as HashEncoding;
    const algo = opts.type === undefined ? undefined : parseHashAlgorithm(opts.type);
    return printLines(ctx, (println) => {
      for (const h of hashes) println(render(parseHashAny(h, algo), to));
    });
  });
  hash.addCommand(convert);
}
