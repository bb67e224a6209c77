/**
 * `strata doctor [--json]`: diagnoses the command's store (`--store`, the configured store, or
 * the embedded default) and every layer below it — resolved real paths, database, schema
 * version, permissions, mount check — and prints each problem with the command that fixes it.
 * A store that does not even open is diagnosed from its error (and the error's hint). Exits 1
 * when there is a problem.
 *
 * @example
 *   strata --store 'local-overlay://?lower-store=/srv/base&upper-layer=/srv/up' doctor
 */
import { isStrataError } from '@strata/core/errors';
import type { StoreDiagnosis } from '@strata/core/store';
import type { Command } from 'commander';
import { type CliContext, printJson, println } from '../context.js';
import { exitWithStatus } from '../exit-status.js';
import { commandStoreReference, loadStoreEnvironment } from '../store-registry.js';

function countProblems(d: StoreDiagnosis): number {
  return d.problems.length + (d.layers ?? []).reduce((n, l) => n + countProblems(l), 0);
}

function print(ctx: CliContext, d: StoreDiagnosis, indent: string): void {
  println(ctx, `${indent}${d.url} (${d.kind})`);
  for (const [name, value] of d.facts) println(ctx, `${indent}  ${name}: ${value}`);
  for (const p of d.problems) {
    println(ctx, `${indent}  problem: ${p.message}`);
    if (p.fix !== undefined) {
      println(ctx, `${indent}    fix: ${p.fix.replaceAll('\n', `\n${indent}         `)}`);
    }
  }
  for (const layer of d.layers ?? []) {
    println(ctx, `${indent}  lower store:`);
    print(ctx, layer, `${indent}    `);
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'diagnose a store and every layer below it: real paths, database, permissions, mounts; each problem with its fix',
    )
    .action(async () => {
      const environment = await loadStoreEnvironment(ctx);
      const reference = commandStoreReference(ctx, environment);
      let diagnosis: StoreDiagnosis;
      try {
        const store = await environment.registry.openStore(reference, environment.openOptions);
        try {
          diagnosis = store.diagnose
            ? await store.diagnose()
            : {
                url: store.url,
                kind: 'store',
                facts: [['store dir', store.storeDir]],
                problems: [],
              };
        } finally {
          await store.close();
        }
      } catch (e) {
        if (!isStrataError(e)) throw e;
        diagnosis = {
          url: reference,
          kind: 'cannot be opened',
          facts: [],
          problems: [{ message: e.message, ...(e.hint === undefined ? {} : { fix: e.hint }) }],
        };
      }
      const problems = countProblems(diagnosis);
      if (ctx.flags.json) {
        printJson(ctx, diagnosis);
      } else {
        print(ctx, diagnosis, '');
        println(ctx, problems === 0 ? 'no problems found' : `${problems} problem(s) found`);
      }
      if (problems > 0) exitWithStatus(1);
    });
}
