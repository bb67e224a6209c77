import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Makes a fresh temporary directory; `cleanup()` removes it and everything in it. */
export function tempDir(prefix = 'strata-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `fn` with a temporary directory that is removed afterwards, even on failure. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = tempDir();
  try {
    return await fn(dir.path);
  } finally {
    dir.cleanup();
  }
}
