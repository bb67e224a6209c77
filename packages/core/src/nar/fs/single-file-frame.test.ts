import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dumpPath } from './dump.js';
import { singleFileNarFrame } from './single-file-frame.js';

const test = suite('singleFileNarFrame');

async function nar(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of dumpPath(path)) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

test('head ‖ contents ‖ tail is the NAR of the file, for any size, executable or not', async () => {
  await withTempDir(async (dir) => {
    for (const size of [0, 1, 7, 8, 9, 4096, 10_001]) {
      for (const executable of [false, true]) {
        const file = join(dir, `f-${size}-${executable}`);
        const contents = Buffer.alloc(size, 0x61 + (size % 26));
        writeFileSync(file, contents);
        chmodSync(file, executable ? 0o755 : 0o644);
        const [head, tail] = singleFileNarFrame(size, executable);
        assert.ok(Buffer.concat([head, contents, tail]).equals(await nar(file)), file);
      }
    }
  });
});

test.run();
