import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NIX, nixFails, nixRaw, requires, withTempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isStrataError } from '../errors.js';
import { utf8 } from './format.js';
import {
  catNar,
  findInListing,
  listNar,
  type NarListingNode,
  type NarLsOptions,
  renderLsFile,
  renderNarListingJson,
  renderNarLs,
} from './listing.js';
import {
  chunked,
  collectBytes,
  narTokens,
  narTreeOfDiskTree,
  randomDiskTree,
  seededRandom,
} from './testing.js';
import { type NarTree, narEventsOfTree } from './tree.js';
import { encodeNar } from './write.js';

const test = suite('nar listing');
const nixTest = requires(test, NIX);

const text = (b: Uint8Array) => Buffer.from(b).toString();

const SMALL: NarTree = {
  type: 'directory',
  entries: {
    f: { type: 'regular', contents: 'a' },
    l: { type: 'symlink', target: 'f' },
    x: { type: 'regular', contents: '', executable: true },
  },
};
const SMALL_NAR = encodeNar(narEventsOfTree(SMALL));

async function fails(fn: () => unknown, code: string, message: string) {
  try {
    await fn();
  } catch (e) {
    assert.ok(isStrataError(e), String(e));
    assert.is(e.code, code);
    assert.is(e.message, message);
    return;
  }
  assert.unreachable(`no error; expected: ${message}`);
}

test('listNar: types, sizes, executable bits, targets and content offsets', async () => {
  const root = await listNar(chunked(SMALL_NAR, 5));
  assert.equal(root, {
    type: 'directory',
    entries: [
      { name: utf8('f'), node: { type: 'regular', size: 1, executable: false, narOffset: 232 } },
      { name: utf8('l'), node: { type: 'symlink', target: utf8('f') } },
      { name: utf8('x'), node: { type: 'regular', size: 0, executable: true, narOffset: 648 } },
    ],
  });
  assert.equal(findInListing(root, '/l'), { type: 'symlink', target: utf8('f') });
  assert.is(findInListing(root, '/f/'), undefined);
  assert.is(findInListing(root, '//f'), undefined);
  assert.is(findInListing(root, '/./f'), undefined);
  assert.is(findInListing(root, '/'), undefined);
  assert.is(findInListing(root, ''), root);
});

test('a content offset points at the file contents in the NAR', async () => {
  const nar = encodeNar(
    narEventsOfTree({
      type: 'directory',
      entries: {
        a: { type: 'regular', contents: 'xyz' },
        b: { type: 'regular', contents: 'hello' },
      },
    }),
  );
  const root = await listNar([nar]);
  const b = findInListing(root, '/b') as Extract<NarListingNode, { type: 'regular' }>;
  assert.is(text(nar.subarray(b.narOffset, b.narOffset + b.size)), 'hello');
});

test('listNar validates: a malformed NAR is rejected', async () => {
  await fails(
    () => listNar([SMALL_NAR.subarray(0, 600)]),
    'STRATA_ERR_NAR_UNEXPECTED_EOF',
    'unexpected end-of-file (at byte 600)',
  );
});

test('.ls file and JSON listings (spec §8 and nix nar ls --json)', () => {
  const file: NarListingNode = { type: 'regular', size: 6, executable: false, narOffset: 96 };
  assert.is(
    text(renderLsFile(file)),
    '{"version":1,"root":{"type":"regular","size":6,"narOffset":96}}',
  );
  const root: NarListingNode = {
    type: 'directory',
    entries: [
      { name: utf8('f'), node: { type: 'regular', size: 1, executable: false, narOffset: 232 } },
      { name: utf8('l'), node: { type: 'symlink', target: utf8('f') } },
      { name: utf8('x'), node: { type: 'regular', size: 0, executable: true, narOffset: 648 } },
    ],
  };
  assert.is(
    text(renderNarListingJson(root, { recursive: true })),
    '{"type":"directory","entries":{"f":{"type":"regular","size":1,"narOffset":232},"l":{"type":"symlink","target":"f"},"x":{"type":"regular","size":0,"executable":true,"narOffset":648}}}',
  );
  assert.is(
    text(renderNarListingJson(root)),
    '{"type":"directory","entries":{"f":{},"l":{},"x":{}}}',
  );
});

test('JSON escapes only quote, backslash and control bytes, as Nix 2.8 does', () => {
  const name = new Uint8Array([...utf8('a\t"\\\n\r\x07\x08\x0c\x1f\x7f\u00e9'), 0xff]);
  const root: NarListingNode = {
    type: 'directory',
    entries: [{ name, node: { type: 'symlink', target: utf8('t\x01') } }],
  };
  const json = renderNarListingJson(root, { recursive: true });
  assert.equal(
    json,
    new Uint8Array([
      ...utf8(
        '{"type":"directory","entries":{"a\\t\\"\\\\\\n\\r\\u0007\\u0008\\u000c\\u001f\x7f\u00e9',
      ),
      0xff,
      ...utf8('":{"type":"symlink","target":"t\\u0001"}}}'),
    ]),
  );
});

test('nix nar ls text forms (outputs recorded from Nix 2.8)', async () => {
  const root = await listNar([SMALL_NAR]);
  const ls = (path: string, o: NarLsOptions = {}) => text(renderNarLs(root, path, o));
  assert.is(ls('/'), './f\n./l\n./x\n');
  assert.is(ls(''), './f\n./l\n./x\n');
  assert.is(
    ls('/', { long: true, recursive: true }),
    '-r--r--r--                    1 ./f\nlrwxrwxrwx                    0 ./l -> f\n-r-xr-xr-x                    0 ./x\n',
  );
  assert.is(ls('/', { directory: true }), '.\n');
  assert.is(ls('/', { directory: true, long: true }), 'dr-xr-xr-x                    0 .\n');
  assert.is(ls('/f', { long: true }), '-r--r--r--                    1 f\n');
  assert.is(ls('/x', { long: true, recursive: true }), '-r-xr-xr-x                    0 x\n');
  assert.is(ls('/l'), 'l\n');
  assert.is(ls('/', { json: true }), '{"type":"directory","entries":{"f":{},"l":{},"x":{}}}');
  assert.is(ls('/f', { json: true }), '{"type":"regular","size":1,"narOffset":232}');
  await fails(() => ls('/nope'), 'STRATA_ERR_NAR_PATH_NOT_FOUND', "path '/nope' does not exist");
  await fails(() => ls('/f/'), 'STRATA_ERR_NAR_PATH_NOT_FOUND', "path '/f/' does not exist");
  await fails(
    () => ls('/nope', { json: true }),
    'STRATA_ERR_NAR_PATH_NOT_IN_NAR',
    "path '/nope' does not exist in NAR",
  );
  await fails(() => ls('f'), 'STRATA_ERR_NAR_PATH_NOT_ABSOLUTE', "not an absolute path: 'f'");
  const file = await listNar([encodeNar(narEventsOfTree({ type: 'regular', contents: 'hi' }))]);
  assert.is(text(renderNarLs(file, '/', { long: true })), '-r--r--r--                    2 \n');
});

test('catNar streams one file; errors as nix nar cat', async () => {
  const big = new Uint8Array(200_000).map((_, i) => i % 251);
  const nar = encodeNar(
    narEventsOfTree({
      type: 'directory',
      entries: {
        a: {
          type: 'directory',
          entries: {
            big: { type: 'regular', contents: big },
            c: { type: 'regular', contents: 'C' },
          },
        },
        b: { type: 'regular', contents: 'B' },
        l: { type: 'symlink', target: 'b' },
      },
    }),
  );
  assert.equal(await collectBytes(catNar(chunked(nar, 4096), '/a/big')), big);
  assert.is(text(await collectBytes(catNar([nar], '/a/c'))), 'C');
  assert.is(text(await collectBytes(catNar([nar], '/b'))), 'B');
  await fails(
    () => collectBytes(catNar([nar], '/l')),
    'STRATA_ERR_NAR_PATH_NOT_REGULAR',
    "path '/l' is not a regular file",
  );
  await fails(
    () => collectBytes(catNar([nar], '/a')),
    'STRATA_ERR_NAR_PATH_NOT_REGULAR',
    "path '/a' is not a regular file",
  );
  await fails(
    () => collectBytes(catNar([nar], '')),
    'STRATA_ERR_NAR_PATH_NOT_REGULAR',
    "path '' is not a regular file",
  );
  await fails(
    () => collectBytes(catNar([nar], '/')),
    'STRATA_ERR_NAR_PATH_NOT_FOUND',
    "path '/' does not exist",
  );
  await fails(
    () => collectBytes(catNar([nar], '/a/nope')),
    'STRATA_ERR_NAR_PATH_NOT_FOUND',
    "path '/a/nope' does not exist",
  );
  await fails(
    () => collectBytes(catNar([nar], '/b/x')),
    'STRATA_ERR_NAR_PATH_NOT_FOUND',
    "path '/b/x' does not exist",
  );
  await fails(
    () => collectBytes(catNar([nar], 'b')),
    'STRATA_ERR_NAR_PATH_NOT_ABSOLUTE',
    "not an absolute path: 'b'",
  );
  // the whole NAR is validated, as Nix does before printing anything
  await fails(
    () =>
      collectBytes(
        catNar([narTokens('nix-archive-1', '(', 'type', 'regular', 'contents', 'x')], ''),
      ),
    'STRATA_ERR_NAR_UNEXPECTED_EOF',
    'unexpected end-of-file (at byte 104)',
  );
  const file = encodeNar(narEventsOfTree({ type: 'regular', contents: 'hi' }));
  assert.is(text(await collectBytes(catNar([file], ''))), 'hi');
});

// --- against Nix 2.8 ------------------------------------------------------------------------

const FLAGS: [string[], NarLsOptions][] = [
  [[], {}],
  [['-l'], { long: true }],
  [['-R'], { recursive: true }],
  [['-l', '-R'], { long: true, recursive: true }],
  [['-d'], { directory: true }],
  [['-d', '-l', '-R'], { directory: true, long: true, recursive: true }],
  [['--json'], { json: true }],
  [['--json', '-R'], { json: true, recursive: true }],
];

/** Every path of a listing that survives being passed as a (UTF-8) command-line argument. */
function pathsOf(node: NarListingNode, prefix: string, out: string[]): string[] {
  out.push(prefix);
  if (node.type === 'directory') {
    for (const e of node.entries) {
      const name = Buffer.from(e.name).toString();
      if (!Buffer.from(name).equals(Buffer.from(e.name))) continue;
      pathsOf(e.node, `${prefix}/${name}`, out);
    }
  }
  return out;
}

function nixLs(
  narFile: string,
  path: string,
  flags: string[],
): { ok: boolean; out: Buffer; err: string } {
  const args = [
    '--extra-experimental-features',
    'nix-command',
    'nar',
    'ls',
    ...flags,
    narFile,
    path,
  ];
  try {
    return { ok: true, out: nixRaw('nix', args), err: '' };
  } catch {
    return { ok: false, out: Buffer.alloc(0), err: nixFails('nix', args).stderr.trim() };
  }
}

nixTest(
  'renderNarLs equals nix nar ls on random trees, every flag set and path, incl. --json',
  async () => {
    let compared = 0;
    let skippedPercent = 0;
    for (let seed = 200; seed < 203; seed++) {
      const tree = narTreeOfDiskTree(randomDiskTree(seededRandom(seed)));
      const nar = encodeNar(narEventsOfTree(tree));
      const root = await listNar([nar]);
      await withTempDir((dir) => {
        const narFile = join(dir, 'x.nar');
        writeFileSync(narFile, nar);
        const paths = ['/', '', ...pathsOf(root, '', []).slice(1).slice(0, 6), '/nope', 'rel'];
        for (const path of paths) {
          for (const [flags, options] of FLAGS) {
            const nix = nixLs(narFile, path, flags);
            let ours: Uint8Array | null = null;
            let err = '';
            try {
              ours = renderNarLs(root, path, options);
            } catch (e) {
              err = `error: ${(e as Error).message}`;
            }
            const what = `seed ${seed} ${flags.join(' ')} '${path}'`;
            // Nix 2.8 passes each text line to boost::format as the format string, so a name
            // with '%' fails or is mangled there (not reproduced: Strata prints names verbatim).
            if (!options.json && ours !== null && Buffer.from(ours).includes('%')) {
              skippedPercent++;
              continue;
            }
            compared++;
            if (nix.ok) {
              assert.ok(ours !== null, `${what}: ${err}`);
              assert.ok(
                Buffer.from(ours).equals(nix.out),
                `${what}\nours: ${Buffer.from(ours).toString()}\nnix:  ${nix.out}`,
              );
            } else {
              assert.is(err, nix.err, what);
            }
          }
        }
      });
    }
    assert.ok(
      compared >= 120 && skippedPercent < compared / 4,
      `${compared} compared, ${skippedPercent} skipped`,
    );
  },
);

nixTest(
  'nix nar ls 2.8 feeds names to boost::format (a name with % breaks it; Strata prints it)',
  async () => {
    const nar = encodeNar(
      narEventsOfTree({
        type: 'directory',
        entries: { '100%': { type: 'regular', contents: '' } },
      }),
    );
    await withTempDir((dir) => {
      const narFile = join(dir, 'x.nar');
      writeFileSync(narFile, nar);
      assert.is(
        nixLs(narFile, '/', []).err,
        'error: boost::bad_format_string: format-string is ill-formed',
      );
    });
    assert.is(text(renderNarLs(await listNar([nar]), '/')), './100%\n');
  },
);

nixTest('catNar equals nix nar cat, including its errors', async () => {
  const tree = narTreeOfDiskTree(randomDiskTree(seededRandom(7), { bigFileBytes: 100_000 }));
  const nar = encodeNar(narEventsOfTree(tree));
  const root = await listNar([nar]);
  await withTempDir(async (dir) => {
    const narFile = join(dir, 'x.nar');
    writeFileSync(narFile, nar);
    for (const path of [...pathsOf(root, '', []), '/', '/nope', 'rel']) {
      const args = ['--extra-experimental-features', 'nix-command', 'nar', 'cat', narFile, path];
      const nix = nixFails('nix', args);
      let ours: Uint8Array | null = null;
      let err = '';
      try {
        ours = await collectBytes(catNar(chunked(nar, 1000), path));
      } catch (e) {
        err = `error: ${(e as Error).message}`;
      }
      if (nix.status === 0) {
        assert.ok(ours !== null, `'${path}': ${err}`);
        assert.ok(Buffer.from(ours).equals(nixRaw('nix', args)), `'${path}'`);
      } else {
        assert.is(err, nix.stderr.trim(), `'${path}'`);
      }
    }
  });
});

nixTest('the .ls file equals what nix copy writes with write-nar-listing', async () => {
  await withTempDir(async (dir) => {
    const src = join(dir, 'src');
    const tree = randomDiskTree(seededRandom(9));
    const { writeTreeToDisk } = await import('./fs/testing.js');
    writeTreeToDisk(src, tree);
    const store = join(dir, 'store');
    const path = nixRaw('nix-store', ['--store', store, '--add', src]).toString().trim();
    const cache = join(dir, 'cache');
    nixRaw('nix', [
      '--extra-experimental-features',
      'nix-command',
      'copy',
      '--store',
      store,
      '--to',
      `file://${cache}?compression=none&write-nar-listing=true`,
      path,
    ]);
    const hashPart = path.slice('/nix/store/'.length, '/nix/store/'.length + 32);
    const { readFileSync } = await import('node:fs');
    const nar = nixRaw('nix-store', ['--dump', src]);
    const ls = renderLsFile(await listNar([nar]));
    assert.ok(Buffer.from(ls).equals(readFileSync(join(cache, `${hashPart}.ls`))));
  });
});

test.run();
