/**
 * `strata ls [-l] [-R] [-d] [--json] PATH`: lists a path inside the store like `nix store ls`
 * (Nix 2.8), read from the store's NAR of the object, so it works for stores without a local
 * file system too.
 *
 * @example
 *   strata --store /tmp/root ls -lR /nix/store/…-tree
 */
import { strataError } from '@strata/core/errors';
import { type NarListingNode, renderNarLs } from '@strata/core/nar';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../open-store.js';
import { resolveStoreFile, withFullPathErrors } from './store-files.js';

/** `node` without NAR offsets: `nix store ls --json` does not show them (`nix nar ls` does). */
function withoutNarOffsets(node: NarListingNode): NarListingNode {
  if (node.type === 'regular') return { ...node, narOffset: 0 };
  if (node.type === 'symlink') return node;
  return {
    type: 'directory',
    entries: node.entries.map((e) => ({ name: e.name, node: withoutNarOffsets(e.node) })),
  };
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('ls')
    .description('list a path inside the store (like nix store ls)')
    .argument('<path>', 'a store path or a path inside one')
    .option('-l, --long', 'show type, size and symlink targets')
    .option('-R, --recursive', 'list subdirectories recursively')
    .option('-d, --directory', 'show directories rather than their contents')
    .action(
      async (path: string, opts: { long?: boolean; recursive?: boolean; directory?: boolean }) => {
        if (opts.directory && ctx.flags.json) {
          throw strataError('STRATA_ERR_CLI_USAGE', {
            message: "'--directory' is useless with '--json'",
          });
        }
        await withStore(ctx, async (store) => {
          // Symlinks on the way are followed (as on a local store); a last one is listed.
          const { storePath, rest, root } = await resolveStoreFile(store, path, false);
          // Seen from the store directory, so that a file object is listed by its base name
          // (`<hash>-hello.txt`), as Nix lists it.
          const base = storePath.slice(storePath.lastIndexOf('/') + 1);
          const storeDir: NarListingNode = {
            type: 'directory',
            entries: [{ name: Buffer.from(base, 'utf8'), node: withoutNarOffsets(root) }],
          };
          const out = withFullPathErrors(path, () =>
            renderNarLs(storeDir, `/${base}${rest}`, { ...opts, json: ctx.flags.json }),
          );
          ctx.stdout.write(out);
        });
      },
    );
}
