/**
 * The collector's last step (spec store-format §9.4): remove every file in `real/.links` that
 * nothing else links to any more (link count 1), then report what hard linking still saves:
 * `note: currently hard linking saves <x> MiB`, where x = (Σ (nlink−1)·size − Σ size − the
 * `.links` directory's own blocks) / 2^20, often negative (`-0.00`).
 */
import { lstatSync, opendirSync, statSync, unlinkSync } from 'node:fs';
import { errnoCode, ioError } from '@strata/core/io-error';
import { formatMiB } from './summary.js';

/**
 * Deletes the unused links of the store whose real directory is `realStoreDir`, logging Nix's
 * two lines. Their bytes are not reported: deleting the paths already counted them (an
 * optimised file with 2 links). A store without `.links` has nothing to do.
 */
export function deleteUnusedLinks(realStoreDir: string, log: (line: string) => void): void {
  const linksDir = `${realStoreDir}/.links`;
  let dir: ReturnType<typeof opendirSync>;
  log('deleting unused links...');
  try {
    dir = opendirSync(linksDir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    throw ioError('opening directory', linksDir, e);
  }
  let actualSize = 0n;
  let unsharedSize = 0n;
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      const path = `${linksDir}/${entry.name}`;
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(path, { bigint: true });
      } catch (e) {
        throw ioError('getting status of', path, e);
      }
      if (st.nlink !== 1n) {
        actualSize += st.size;
        unsharedSize += (st.nlink - 1n) * st.size;
        continue;
      }
      try {
        unlinkSync(path);
      } catch (e) {
        throw ioError('deleting', path, e);
      }
    }
  } finally {
    dir.closeSync();
  }
  const overhead = statSync(linksDir, { bigint: true }).blocks * 512n;
  log(`note: currently hard linking saves ${formatMiB(unsharedSize - actualSize - overhead)} MiB`);
}
