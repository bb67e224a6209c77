import { chmodSync, closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flock } from '@strata/native';
import { NIX, nix, nixRaw, requires, tempDir } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LocalStoreContext } from '../store/context.js';
import { testContext } from '../store/testing.js';
import {
  cloneStore,
  dbState,
  diskState,
  editInPlace,
  makeVerifyFixture,
  normalise,
  runNixStore,
  sql,
  type VerifyFixture,
} from './testing.js';
import { type VerifyHooks, verifyStore, verifySummary } from './verify.js';

const test = suite('verify');
const nixTest = requires(test, NIX);

const tmp = tempDir('strata-verify-');
let fixture: VerifyFixture | undefined;
let optimisedBase: string | undefined;
let n = 0;

/** The fixture store, made by Nix once per file. */
function base(): VerifyFixture {
  fixture ??= makeVerifyFixture(tmp.path);
  return fixture;
}

/** A Nix-optimised copy of the fixture (for `.links` cases). */
function optimised(): string {
  if (optimisedBase === undefined) {
    optimisedBase = cloneStore(base().root, join(tmp.path, 'optimised'));
    nix('nix-store', ['--store', optimisedBase, '--optimise']);
  }
  return optimisedBase;
}

/** Two identical copies of `root` (default: the fixture): ours and Nix's. */
function copies(root = base().root): { ours: string; theirs: string } {
  n++;
  return {
    ours: cloneStore(root, join(tmp.path, `ours-${n}`)),
    theirs: cloneStore(root, join(tmp.path, `theirs-${n}`)),
  };
}

const real = (root: string, path: string) => join(root, path);

interface Run {
  errors: boolean;
  messages: readonly string[];
  /** Every line sent to `log`, then the summary line as `nix-store` prints it. */
  lines: string[];
}

async function ourVerify(
  root: string,
  options: { checkContents?: boolean; repair?: boolean } = {},
  hooks: VerifyHooks = {},
  patch: (ctx: LocalStoreContext) => LocalStoreContext = (c) => c,
): Promise<Run> {
  const t = testContext(root);
  const lines: string[] = [];
  try {
    const result = await verifyStore(
      patch(t.ctx),
      { ...options, log: (l) => lines.push(l) },
      hooks,
    );
    const summary = verifySummary(result);
    if (summary !== undefined) lines.push(summary);
    return { errors: result.errors, messages: result.messages, lines: normalise(root, lines) };
  } finally {
    t.close();
  }
}

function nixVerifyArgs(options: { checkContents?: boolean; repair?: boolean }): string[] {
  return [
    '--verify',
    ...(options.checkContents ? ['--check-contents'] : []),
    ...(options.repair ? ['--repair'] : []),
  ];
}

/** Runs ours on one copy and Nix on the other; asserts the same lines, status and DB. */
async function compare(
  ours: string,
  theirs: string,
  options: { checkContents?: boolean; repair?: boolean },
): Promise<Run> {
  const mine = await ourVerify(ours, options);
  const nixRun = runNixStore(theirs, nixVerifyArgs(options));
  assert.equal(mine.lines, nixRun.lines);
  assert.is(mine.errors ? 1 : 0, nixRun.status);
  assert.is(dbState(ours), dbState(theirs));
  assert.is(diskState(ours), diskState(theirs));
  return mine;
}

test.after(() => tmp.cleanup());

nixTest('a clean store verifies without errors, with and without --check-contents', async () => {
  const { ours, theirs } = copies(optimised());
  const plain = await compare(ours, theirs, {});
  assert.equal(plain.lines, ['reading the Nix store...', 'checking path existence...']);
  const full = await compare(ours, theirs, { checkContents: true });
  assert.equal(full.messages, []);
  assert.is(full.errors, false);
});

nixTest('a file edited in place: modified, then cannot be repaired', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) editInPlace(real(root, f.hello), 'changed\n');
  const r = await compare(ours, theirs, { checkContents: true });
  assert.is(r.errors, true);
  assert.match(r.messages[0] as string, `path '${f.hello}' was modified! expected hash 'sha256:`);
  assert.is(r.lines.at(-1), 'warning: not all store errors were fixed');
  const repaired = await compare(ours, theirs, { checkContents: true, repair: true });
  assert.ok(repaired.messages.includes(`error: cannot repair path '${f.hello}'`));
  // Without --check-contents nothing is hashed.
  const plain = await compare(ours, theirs, {});
  assert.is(plain.errors, false);
});

nixTest('a deleted path that is still referred to stays, with an error', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) rmSync(real(root, f.p));
  const r = await compare(ours, theirs, {});
  assert.equal(r.messages, [`path '${f.p}' disappeared, but it still has valid referrers!`]);
  assert.is(r.errors, true);
  const repair = await compare(ours, theirs, { repair: true });
  assert.equal(repair.messages, [
    `path '${f.p}' disappeared, but it still has valid referrers!`,
    `warning: cannot repair path '${f.p}'`,
  ]);
});

nixTest('deleted paths whose referrers are gone too are removed from the database', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) {
    for (const p of [f.p, f.r, f.x]) rmSync(real(root, p));
  }
  const r = await compare(ours, theirs, { checkContents: true });
  assert.is(r.errors, false);
  assert.is(r.messages.length, 3);
  assert.ok(r.messages.every((m) => m.endsWith(' disappeared, removing from database...')));
  assert.not.match(dbState(ours), f.p);
  // A second run has nothing to say.
  const again = await compare(ours, theirs, {});
  assert.equal(again.messages, []);
});

nixTest('a missing .drv and a missing self-referencing path are removed too', async () => {
  const f = base();
  const extra = cloneStore(f.root, join(tmp.path, 'extra'));
  const expr =
    'derivation { name = "d"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; }';
  const drv = nix('nix-instantiate', ['--store', extra, '-E', expr]);
  const self = '/nix/store/9j9d0wd3xbrcaqbcv3d1gk9gnqgjd5iw-selfref';
  writeFileSync(real(extra, self), `I am ${self}\n`, { mode: 0o444 });
  const hash = nix('nix-hash', ['--type', 'sha256', real(extra, self)]);
  const size = nixRaw('nix-store', ['--dump', real(extra, self)]).length;
  nix(
    'nix-store',
    ['--store', extra, '--load-db'],
    Buffer.from(`${[self, hash, size, '', 1, self].join('\n')}\n`),
  );
  const { ours, theirs } = copies(extra);
  for (const root of [ours, theirs]) {
    rmSync(real(root, drv));
    rmSync(real(root, self));
  }
  const r = await compare(ours, theirs, { checkContents: true });
  assert.equal(
    r.messages,
    [drv, self].sort().map((p) => `path '${p}' disappeared, removing from database...`),
  );
  assert.is(r.errors, false);
});

nixTest('a chain whose middle is gone is reported, not half-invalidated', async () => {
  // Nix 2.8 tries to delete p while r (missing but still valid) refers to it, and aborts
  // with a foreign-key failure; Strata reports both and leaves the database alone.
  const f = base();
  const { ours } = copies();
  for (const p of [f.p, f.r]) rmSync(real(ours, p));
  const before = dbState(ours);
  const r = await ourVerify(ours);
  assert.equal(r.messages, [
    `path '${f.r}' disappeared, but it still has valid referrers!`,
    `path '${f.p}' disappeared, but it still has valid referrers!`,
  ]);
  assert.is(r.errors, true);
  assert.is(dbState(ours), before);
});

nixTest('a modified .links entry: reported as a link and as each path using it', async () => {
  const f = base();
  const { ours, theirs } = copies(optimised());
  const key = nix('nix-hash', ['--type', 'sha256', '--base32', real(f.root, `${f.d1}/a`)]);
  for (const root of [ours, theirs]) {
    editInPlace(join(root, 'nix/store/.links', key), 'other content\n');
  }
  const r = await compare(ours, theirs, { checkContents: true });
  assert.ok(r.lines[3]?.startsWith(`link '<root>/nix/store/.links/${key}' was modified!`));
  const repair = await compare(ours, theirs, { checkContents: true, repair: true });
  assert.ok(repair.lines.includes(`removed link '<root>/nix/store/.links/${key}'`));
  assert.not.ok(existsSync(join(ours, 'nix/store/.links', key)));
});

nixTest('a NULL narSize and an all-zero hash are filled in', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) {
    sql(root, `update ValidPaths set narSize = null where path = '${f.d1}'`);
    sql(
      root,
      `update ValidPaths set hash = 'sha256:${'0'.repeat(64)}' where path = '${f.d2}' or path = '${f.hello}'`,
    );
  }
  const r = await compare(ours, theirs, { checkContents: true });
  assert.is(r.errors, false);
  assert.ok(r.messages.includes(`fixing missing hash on '${f.d2}'`));
  assert.ok(r.messages.some((m) => m.startsWith(`updating size field on '${f.d1}' to `)));
  const again = await compare(ours, theirs, { checkContents: true });
  assert.equal(again.messages, []);
});

nixTest('an unreadable hash column is an error for that path', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) {
    sql(root, `update ValidPaths set hash = 'garbage' where path = '${f.hello}'`);
  }
  const mine = await ourVerify(ours, { checkContents: true });
  const nixRun = runNixStore(theirs, nixVerifyArgs({ checkContents: true }));
  assert.equal(mine.lines, nixRun.lines);
  assert.is(nixRun.status, 1);
});

nixTest('a path that can be substituted is repaired without an error', async () => {
  const f = base();
  const { ours } = copies();
  editInPlace(real(ours, f.hello), 'changed\n');
  const asked: string[] = [];
  const r = await ourVerify(ours, { checkContents: true, repair: true }, {}, (ctx) => ({
    ...ctx,
    async repairFromSubstituters(path) {
      asked.push(path);
      return true;
    },
  }));
  assert.equal(asked, [f.hello]);
  assert.is(r.errors, false);
  assert.is(r.messages.length, 1);
});

nixTest('paths the hook excludes are neither checked nor invalidated', async () => {
  const f = base();
  const { ours } = copies();
  for (const p of [f.p, f.r, f.x]) rmSync(real(ours, p));
  editInPlace(real(ours, f.hello), 'changed\n');
  const skip = new Set([f.x, f.hello]);
  const r = await ourVerify(ours, { checkContents: true }, { shouldCheck: (p) => !skip.has(p) });
  assert.equal(r.messages, [
    `path '${f.r}' disappeared, but it still has valid referrers!`,
    `path '${f.p}' disappeared, but it still has valid referrers!`,
  ]);
});

nixTest('progress counts the valid paths, per phase', async () => {
  const { ours } = copies();
  const t = testContext(ours);
  const seen: [number, number][] = [];
  try {
    await verifyStore(t.ctx, {
      checkContents: true,
      progress: (d, total) => seen.push([d, total]),
    });
  } finally {
    t.close();
  }
  const total = 6;
  const phase = Array.from({ length: total + 1 }, (_, i) => [i, total]);
  assert.equal(seen, [...phase, ...phase]);
});

nixTest('waits for a garbage collector holding gc.lock, saying so', async () => {
  const { ours } = copies();
  const gcLock = openSync(join(ours, 'nix/var/nix/gc.lock'), 'r+');
  assert.ok(flock(gcLock, 'exclusive'));
  const t = testContext(ours);
  const lines: string[] = [];
  try {
    const r = await verifyStore(t.ctx, {
      log(l) {
        lines.push(l);
        if (l.startsWith('waiting')) flock(gcLock, 'unlock');
      },
    });
    assert.is(r.errors, false);
    assert.equal(r.messages, []);
  } finally {
    t.close();
    closeSync(gcLock);
  }
  assert.equal(lines, [
    'reading the Nix store...',
    'waiting for the big garbage collector lock...',
    'checking path existence...',
  ]);
});

nixTest('an unreadable file inside a path is an error naming it', async () => {
  const f = base();
  const { ours, theirs } = copies();
  for (const root of [ours, theirs]) {
    const dir = real(root, f.d2);
    chmodSync(dir, 0o755);
    rmSync(join(dir, 'x'));
    // A FIFO cannot be in a NAR.
    nix('mkfifo', [join(dir, 'x')]);
    chmodSync(dir, 0o555);
  }
  const mine = await ourVerify(ours, { checkContents: true });
  const nixRun = runNixStore(theirs, nixVerifyArgs({ checkContents: true }));
  assert.equal(mine.lines, nixRun.lines);
});

test.run();
