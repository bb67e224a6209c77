/**
 * `strata url parse URL` and `strata url render [FILE]`: a nested store URL as a tree and back.
 *
 * - `url parse URL|@name`: the canonical URL, then the tree (`--json`: the tree as JSON, which
 *   `url render` accepts). Parameters that hold store URLs (by the schemas of the loaded
 *   plugins) are parsed at every depth; a malformed URL at any depth fails with its message.
 * - `url render [FILE]`: reads a tree as JSON or YAML (FILE, or standard input) and prints the
 *   canonical URL, with each nested level percent-encoded exactly once.
 *
 * @example
 *   strata url render <<'EOF'
 *   scheme: local-overlay
 *   params:
 *     root: /srv/job-7
 *     upper-layer: /srv/job-7/upper
 *     lower-store: { scheme: local, path: /srv/base }
 *   EOF
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  NAMED_STORE,
  referenceTree,
  renderReferenceTree,
  renderReferenceTreeText,
  strataError,
  stringifyJson,
} from '@strata/core';
import type { Command } from 'commander';
import { type CliContext, println, warn } from '../context.js';
import { loadStoreEnvironment } from '../store-registry.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses JSON or YAML text (JSON is YAML, but JSON errors read better from JSON.parse). The YAML
 * parser is imported here, not at the top: loading it costs every `strata` command ~45 ms.
 */
export async function parseTreeText(text: string, source: string): Promise<unknown> {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{') || trimmed.startsWith('"')) return JSON.parse(trimmed);
    const { parse: parseYaml } = await import('yaml');
    return parseYaml(text);
  } catch (e) {
    throw strataError('STRATA_ERR_CLI_USAGE', {
      message: `cannot read a store reference tree from ${source}: ${(e as Error).message}`,
    });
  }
}

/** Registers `url parse` and `url render`. */
export function register(program: Command, ctx: CliContext): void {
  const url = program.command('url').description('nested store URLs as trees, and back');
  url
    .command('parse')
    .description('show a store URL as a tree of its nested store URLs')
    .argument('<url>', 'the store URL')
    .action(async (text: string) => {
      const { registry, config } = await loadStoreEnvironment(ctx);
      // `@name` is a store named in the configuration: show what it stands for.
      const url = NAMED_STORE.test(text) ? config.resolveNamedStore(text) : text;
      const tree = referenceTree(url, registry, { cwd: ctx.cwd, warn: (m) => warn(ctx, m) });
      if (ctx.flags.json) {
        println(ctx, stringifyJson(tree));
        return;
      }
      println(ctx, tree.reference);
      ctx.stdout.write(renderReferenceTreeText(tree));
    });
  url
    .command('render')
    .description('build a store URL from a tree (JSON or YAML) on standard input or in FILE')
    .argument('[file]', 'read the tree from this file instead of standard input')
    .action(async (file: string | undefined) => {
      const source = file === undefined || file === '-' ? 'standard input' : `'${file}'`;
      let text: string;
      try {
        text =
          file === undefined || file === '-'
            ? await readAll(ctx.stdin)
            : await readFile(resolve(ctx.cwd, file), 'utf8');
      } catch (e) {
        throw strataError('STRATA_ERR_CLI_IO', {
          message: `cannot read ${source}: ${(e as Error).message}`,
        });
      }
      println(ctx, renderReferenceTree(await parseTreeText(text, source)));
    });
}
