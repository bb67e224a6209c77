import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStrataError, type StrataError } from '@strata/core';
import { withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readNixConfFile, readNixConfText } from './read.js';

const test = suite('nix.conf includes');

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const pairs = (as: ReturnType<typeof readNixConfFile>) => as.map((a) => `${a.name}=${a.value}`);

test('a missing or unreadable top-level file gives nothing', () =>
  withTempDir((d) => {
    assert.equal(readNixConfFile(join(d, 'nope.conf')), []);
    mkdirSync(join(d, 'dir.conf'));
    assert.equal(readNixConfFile(join(d, 'dir.conf')), []);
  }));

// spec §4.3 verified example: includes apply in place, relative to the including file.
test('relative includes resolve against the including file, applied in place', () =>
  withTempDir((d) => {
    write(
      join(d, 'etc/nix.conf'),
      'cores = 1\ninclude sub/a.conf\n!include missing.conf\nmax-jobs = 7\n',
    );
    write(join(d, 'etc/sub/a.conf'), 'cores = 2\ninclude ../../other/b.conf\n');
    write(join(d, 'other/b.conf'), 'timeout = 9\nmax-jobs = 3\n');
    const got = readNixConfFile(join(d, 'etc/nix.conf'));
    assert.equal(pairs(got), ['cores=1', 'cores=2', 'timeout=9', 'max-jobs=3', 'max-jobs=7']);
    assert.equal(got[2]!.origin, { kind: 'nix.conf', file: join(d, 'other/b.conf'), line: 1 });
    assert.equal(got[4]!.origin, { kind: 'nix.conf', file: join(d, 'etc/nix.conf'), line: 4 });
  }));

test('a missing `include` is fatal, naming both files', () =>
  withTempDir((d) => {
    write(join(d, 'nix.conf'), 'include sub/../nothere.conf\n');
    try {
      readNixConfFile(join(d, 'nix.conf'));
      assert.unreachable();
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_CONFIG_INCLUDE_MISSING'));
      assert.is(
        (e as Error).message,
        `file "${d}/nothere.conf" included from "${d}/nix.conf" not found`,
      );
      assert.is(
        (e as StrataError).hint,
        "write '!include sub/../nothere.conf' if the file is optional",
      );
    }
  }));

test('a missing `!include` is skipped', () =>
  withTempDir((d) => {
    write(join(d, 'nix.conf'), '!include nothere.conf\ncores = 3\n');
    assert.equal(pairs(readNixConfFile(join(d, 'nix.conf'))), ['cores=3']);
  }));

test('an existing but unreadable include is skipped (directory, dangling link, no permission)', () =>
  withTempDir((d) => {
    mkdirSync(join(d, 'adir'));
    symlinkSync(join(d, 'nowhere'), join(d, 'dangling'));
    write(join(d, 'secret.conf'), 'cores = 99\n');
    chmodSync(join(d, 'secret.conf'), 0o000);
    write(join(d, 'nix.conf'), 'include adir\ninclude dangling\ninclude secret.conf\ncores = 3\n');
    const got = pairs(readNixConfFile(join(d, 'nix.conf')));
    // root reads files whatever their mode; anyone else cannot.
    const expected = process.getuid?.() === 0 ? ['cores=99', 'cores=3'] : ['cores=3'];
    assert.equal(got, expected);
  }));

test('a file including itself is an include cycle', () =>
  withTempDir((d) => {
    write(join(d, 'self.conf'), 'cores = 1\ninclude ./self.conf\n');
    try {
      readNixConfFile(join(d, 'self.conf'));
      assert.unreachable();
    } catch (e) {
      assert.ok(isStrataError(e, 'STRATA_ERR_CONFIG_INCLUDE_CYCLE'));
      assert.is(
        (e as Error).message,
        `configuration file "${d}/self.conf" includes itself (include cycle: "${d}/self.conf" -> "${d}/self.conf")`,
      );
    }
  }));

test('a longer cycle, through a symlink, is detected and shown as a chain', () =>
  withTempDir((d) => {
    write(join(d, 'a.conf'), 'include b.conf\n');
    write(join(d, 'b.conf'), '!include link.conf\n');
    symlinkSync(join(d, 'a.conf'), join(d, 'link.conf'));
    assert.throws(
      () => readNixConfFile(join(d, 'a.conf')),
      (e: Error) =>
        e.message ===
        `configuration file "${d}/link.conf" includes itself (include cycle: "${d}/a.conf" -> "${d}/b.conf" -> "${d}/link.conf")`,
    );
  }));

test('including the same file twice (no cycle) is fine', () =>
  withTempDir((d) => {
    write(join(d, 'c.conf'), 'x = 1\n');
    write(join(d, 'nix.conf'), 'include c.conf\ninclude c.conf\n');
    assert.equal(pairs(readNixConfFile(join(d, 'nix.conf'))), ['x=1', 'x=1']);
  }));

test('NIX_CONFIG: lines get env origins; absolute includes work; relative ones fail', () =>
  withTempDir((d) => {
    write(join(d, 'inc.conf'), 'cores = 5\n');
    const got = readNixConfText(`cores = 9\r\n\ninclude ${d}/inc.conf\n`, 'NIX_CONFIG');
    assert.equal(pairs(got), ['cores=9', 'cores=5']);
    assert.equal(got[0]!.origin, { kind: 'env', variable: 'NIX_CONFIG', line: 1 });
    assert.equal(got[1]!.origin, { kind: 'nix.conf', file: `${d}/inc.conf`, line: 1 });
    assert.throws(
      () => readNixConfText('!include inc.conf', 'NIX_CONFIG'),
      (e: Error) =>
        e.message ===
        'not an absolute path: "inc.conf" (included from NIX_CONFIG, which has no directory)',
    );
    assert.throws(
      () => readNixConfText('include /nonexistent/x.conf', 'NIX_CONFIG'),
      (e: Error) => e.message === 'file "/nonexistent/x.conf" included from "NIX_CONFIG" not found',
    );
  }));

test.run();
