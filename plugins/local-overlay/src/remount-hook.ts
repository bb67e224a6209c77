/**
 * Running an overlay store's `remount-hook` (spec/local-overlay.md §4.11): directly (no shell,
 * no PATH lookup), with one argument, the store's `real` directory. A non-zero exit is Nix's
 * `program "<hook>" failed with exit code <n>`; a hook that cannot be started says why.
 *
 * @example
 *   await runRemountHook('/etc/strata/remount.sh', '/srv/job/nix/store');
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { strataError } from '@strata/core/errors';

/** Runs `hook real`; resolves when it exits 0, its stderr passed through to ours. */
export function runRemountHook(hook: string, real: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(hook, [real], { stdio: ['ignore', 'inherit', 'inherit'], shell: false });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const reason =
        e.code === 'ENOENT'
          ? 'No such file or directory'
          : e.code === 'EACCES'
            ? 'Permission denied'
            : e.message;
      reject(
        strataError(
          'STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_UNRUNNABLE',
          { hook, reason },
          { cause: e },
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      if (code === null && signal === null) return; // 'error' already rejected
      reject(
        strataError('STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_FAILED', {
          hook,
          code: code ?? 128 + signalNumber(signal),
        }),
      );
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : (constants.signals[signal] ?? 0);
}
