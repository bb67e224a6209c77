/**
 * Builds the `strata` command tree. Each command module exports `register(program, ctx)`;
 * the list in `commands/index.ts` is the whole CLI surface. Only the command named on the
 * command line is loaded; the others appear in `--help` by their summary.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { CliContext } from './context.js';

/** The commander program for one invocation, wired to `ctx`'s streams. */
export async function buildProgram(ctx: CliContext, invoked?: string): Promise<Command> {
  const program = new Command('strata')
    .description('Strata: Nix stores from URLs, composed through plugins')
    .usage('[--store URL] [--option NAME VALUE]… [--json] [-v|--quiet] COMMAND …')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // commander's own errors become our one-line `error: …`; see main()
      outputError: () => {},
    })
    .addHelpText(
      'after',
      `
Global options (accepted anywhere on the command line):
  --store URL              the store to use (a URL, a path, or @name from the config file)
  --option NAME VALUE      set a configuration setting
  --extra-NAME VALUE       append to a list or set setting
  --json                   structured output where a command has it
  -v, --verbose            more detail (repeat for more); stack traces on errors
  --quiet                  no progress bars or informational output`,
    );
  program.configureHelp({ sortSubcommands: true });
  for (const entry of COMMANDS) {
    if (entry.name === invoked) (await entry.load()).register(program, ctx);
    else program.command(entry.name).description(entry.summary);
  }
  // Subcommands inherit the exit override and output routing.
  const wire = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({
        writeOut: (s) => ctx.stdout.write(s),
        writeErr: (s) => ctx.stderr.write(s),
        outputError: () => {},
      });
      wire(sub);
    }
  };
  wire(program);
  return program;
}
