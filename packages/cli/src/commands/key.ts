/**
 * `strata key generate NAME` and `strata key public`: Ed25519 signing keys as Nix writes them,
 * like `nix key generate-secret --key-name NAME` (the secret key on stdout) and `nix key
 * convert-secret-to-public` (secret key on stdin, public key on stdout). Neither adds a
 * newline, as Nix does not.
 *
 * @example
 *   strata key generate cache.example.org-1 > cache.sk
 *   strata key public < cache.sk > cache.pk
 */
import { text } from 'node:stream/consumers';
import { generateSecretKey, parseSecretKey } from '@strata/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  const key = program.command('key').description('generate signing keys and derive public keys');
  key
    .command('generate')
    .description('print a new secret key named NAME (like nix key generate-secret)')
    .argument('<name>', "the key's name, e.g. cache.example.org-1")
    .action((name: string) => {
      ctx.stdout.write(generateSecretKey(name).toString());
    });
  key
    .command('public')
    .description('print the public key of the secret key read from stdin')
    .action(async () => {
      const secret = parseSecretKey(await text(ctx.stdin));
      ctx.stdout.write(secret.toPublicKey().toString());
    });
}
