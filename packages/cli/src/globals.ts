/**
 * Global flags, parsed once from anywhere on the command line (as Nix accepts them before or
 * after the subcommand) and removed before the subcommand's own parser sees the arguments.
 *
 * @example
 *   extractGlobalFlags(['add', '--store', 'local', 'x', '--option', 'cores', '4'])
 *   // → { rest: ['add', 'x'], flags: { store: 'local', options: [['cores','4']], … } }
 */
import { strataError } from '@strata/core/errors';

export interface GlobalFlags {
  /** `--store URL` (also `@name` for a store named in the config file). */
  store?: string;
  /** `--option NAME VALUE` and `--extra-NAME VALUE` (as `['extra-NAME', VALUE]`), in order. */
  options: Array<[name: string, value: string]>;
  /** `--json`: structured output. */
  json: boolean;
  /** `-v`/`--verbose`, repeatable: more detail, stacks on errors. */
  verbose: number;
  /** `--quiet`: no progress or informational output. */
  quiet: boolean;
}

/** Splits the global flags out of `argv`; everything after `--` is left alone. */
export function extractGlobalFlags(argv: readonly string[]): {
  flags: GlobalFlags;
  rest: string[];
} {
  const flags: GlobalFlags = { options: [], json: false, verbose: 0, quiet: false };
  const rest: string[] = [];
  const take = (i: number, flag: string, count: number): string[] => {
    const values = argv.slice(i + 1, i + 1 + count);
    if (values.length < count) {
      throw strataError('STRATA_ERR_CLI_USAGE', {
        message: `flag '${flag}' requires ${count === 1 ? 'an argument' : `${count} arguments`}`,
      });
    }
    return values;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--store') {
      [flags.store] = take(i, arg, 1);
      i += 1;
    } else if (arg.startsWith('--store=')) {
      flags.store = arg.slice('--store='.length);
    } else if (arg === '--option') {
      const [name, value] = take(i, arg, 2) as [string, string];
      flags.options.push([name, value]);
      // `--store URL` is `--option store URL`: the one given last wins, as in Nix.
      if (name === 'store') delete flags.store;
      i += 2;
    } else if (arg.startsWith('--extra-') && arg.length > '--extra-'.length) {
      const [value] = take(i, arg, 1) as [string];
      flags.options.push([arg.slice(2), value]);
      i += 1;
    } else if (arg === '--json') {
      flags.json = true;
    } else if (arg === '--verbose') {
      flags.verbose += 1;
    } else if (/^-v+$/.test(arg)) {
      flags.verbose += arg.length - 1;
    } else if (arg === '--quiet') {
      flags.quiet = true;
    } else {
      rest.push(arg);
    }
  }
  return { flags, rest };
}
