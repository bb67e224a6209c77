import type { Test } from 'uvu';

/** A condition a test needs: `check()` returns null when met, else the reason it is not. */
export interface Requirement {
  readonly name: string;
  check(): string | null;
}

/**
 * Returns a test registrar that registers normally when every requirement is met, and
 * otherwise registers a skip and prints `# skip: <name> — <reason>` (the runner lists these),
 * so a test that cannot run here is reported as skipped, never silently passed.
 */
export function requires(
  test: Test,
  ...reqs: Requirement[]
): (name: string, fn: () => unknown) => void {
  return (name, fn) => {
    for (const req of reqs) {
      const reason = req.check();
      if (reason !== null) {
        process.stdout.write(`# skip: ${name} — ${reason}\n`);
        test.skip(name, fn as never);
        return;
      }
    }
    test(name, fn as never);
  };
}

/** Running as root (mounts, chown). */
export const ROOT: Requirement = {
  name: 'root',
  check: () => (process.getuid?.() === 0 ? null : 'needs root'),
};
