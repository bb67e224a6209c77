/**
 * Benchmark inputs, generated once into the bench data directory and reused across runs:
 * a 1 GiB file of pseudo-random bytes and a 50k-file tree of ~300 MB (nested directories,
 * executables, symlinks, empty files), both deterministic so runs are comparable.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where generated inputs live: `$STRATA_BENCH_DIR`, else a folder under the temp dir. */
export const BENCH_DIR = process.env.STRATA_BENCH_DIR ?? join(tmpdir(), 'strata-bench');

/** A deterministic byte stream: SHA-256 in counter mode (fast, incompressible, repeatable). */
function fillPseudoRandom(buf: Buffer, seed: string, counter: number): void {
  for (let off = 0; off < buf.length; off += 32) {
    const block = createHash('sha256').update(`${seed}:${counter}:${off}`).digest();
    block.copy(buf, off, 0, Math.min(32, buf.length - off));
  }
}

/** The 1 GiB file (created on first use). */
export function bigFile(sizeBytes = 1 << 30): string {
  const path = join(BENCH_DIR, `big-${sizeBytes}.bin`);
  if (existsSync(path)) return path;
  mkdirSync(BENCH_DIR, { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    // One 16 MiB random block, each copy perturbed by a counter: generation stays quick.
    const chunk = Buffer.alloc(16 << 20);
    fillPseudoRandom(chunk, 'big', 0);
    for (let written = 0, i = 0; written < sizeBytes; i++) {
      chunk.writeUInt32LE(i, 0);
      const n = Math.min(chunk.length, sizeBytes - written);
      writeSync(fd, chunk, 0, n);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}

/** The 50k-file tree of about 300 MB (created on first use). */
export function bigTree(files = 50_000, totalBytes = 300_000_000): string {
  const path = join(BENCH_DIR, `tree-${files}`);
  if (existsSync(join(path, '.complete'))) return path;
  rmSync(path, { recursive: true, force: true });
  const root = join(path, 'tree');
  mkdirSync(root, { recursive: true });
  const pool = Buffer.alloc(1 << 20);
  fillPseudoRandom(pool, 'tree', 0);
  const mean = Math.floor(totalBytes / files);
  const dirsPerLevel = 40;
  for (let i = 0; i < files; i++) {
    const dir = join(root, `d${i % dirsPerLevel}`, `e${Math.floor(i / dirsPerLevel) % 30}`);
    if (i < dirsPerLevel * 30) mkdirSync(dir, { recursive: true });
    // Sizes vary from empty to ~3× the mean, like a real source tree.
    const size = i % 97 === 0 ? 0 : (i * 7919) % (mean * 3);
    const name = join(dir, `file-${i}.${i % 3 === 0 ? 'c' : 'txt'}`);
    const start = (i * 104_729) % (pool.length - size - 1);
    writeFileSync(name, pool.subarray(start, start + size), { mode: i % 11 === 0 ? 0o755 : 0o644 });
    if (i % 1000 === 0) symlinkSync(`file-${i}.c`, join(dir, `link-${i}`));
    if (i % 5000 === 0) mkdirSync(join(dir, `empty-${i}`));
  }
  writeFileSync(join(path, '.complete'), '');
  return root;
}
