/**
 * Ending a command with a non-zero exit status but no `error:` line, as `nix-store --verify`
 * does after `warning: not all store errors were fixed` and `--verify-path` after its messages.
 *
 * `main` treats a `CommanderError` with code `commander.help` as "already reported: just use
 * this status", which is exactly this case, so no new plumbing is needed.
 *
 * @example
 *   if (result.errors) exitWithStatus(1);
 */
import { CommanderError } from 'commander';

/** Ends the command with exit status `status`, printing nothing more. */
export function exitWithStatus(status: number): never {
  throw new CommanderError(status, 'commander.help', '');
}
