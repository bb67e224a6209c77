// The `strata` binary on a local-overlay store on a real mount (the built-in plugin): the bad
// URLs of SC-4 exit 1 with Nix's text, a redundant add prints the path and writes nothing,
// `delete` of a duplicate prints the remount warning, and `describe` documents the settings.
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strata } from '../cli/helpers.js';
import { exists, overlayTest, withVolume } from './env.js';
import { FLAT } from './fixtures.js';

const test = suite('local-overlay through the strata CLI (real mounts)');
const realTest = overlayTest(test);

const FEATURES = ['--option', 'experimental-features', 'nix-command local-overlay-store'];
const QUIET_GLOBALS = ['--option', 'build-users-group', '', '--option', 'substituters', ''];

realTest('strata describe local-overlay lists the overlay settings', () => {
  const r = strata(['describe', 'local-overlay']);
  assert.is(r.status, 0, r.stderr);
  const text = r.stdout.toString('utf8');
  for (const s of ['lower-store', 'upper-layer', 'check-mount', 'remount-hook']) {
    assert.ok(text.includes(`### ${s}\n`), s);
  }
});

realTest("SC-4 through the CLI: exit 1, Nix's message, the hint", () =>
  withVolume(async (env) => {
    env.mountOverlay();
    const bad = join(env.VOL, 'bad_test');
    const r = strata([
      '--store',
      `local-overlay://?root=${env.ROOT}&lower-store=${env.A}&upper-layer=${bad}`,
      ...FEATURES,
      'info',
    ]);
    assert.is(r.status, 1);
    assert.ok(
      r.stderr.startsWith(`error: overlay filesystem "${env.merged}" mounted incorrectly\nhint: `),
      r.stderr,
    );
  }),
);

realTest('add, delete and the remount warning through the CLI', () =>
  withVolume(async (env) => {
    env.nixAdd(env.A, 'dummy', FLAT.dummy.content);
    env.mountOverlay();
    const store = ['--store', env.url(), ...FEATURES, ...QUIET_GLOBALS];
    const add = strata([...store, 'add', env.file('dummy', FLAT.dummy.content)]);
    assert.is(add.status, 0, add.stderr);
    assert.is(add.stdout.toString('utf8'), `${FLAT.dummy.path}\n`);
    assert.equal(env.lsUp(), []);
    const dup = FLAT.dupfile;
    assert.is(strata([...store, 'add', env.file('dupfile', dup.content)]).status, 0);
    env.nixAdd(env.A, 'dupfile', dup.content);
    const del = strata([...store, 'delete', dup.path]);
    assert.is(del.status, 0, del.stderr);
    assert.ok(
      del.stderr.includes(
        `warning: "${env.merged}" needs remounting, set remount-hook to do this automatically\n`,
      ),
      del.stderr,
    );
    assert.not.ok(exists(join(env.UP, dup.path.slice(11))));
    assert.equal(env.whiteouts(), []);
  }),
);

realTest('add --text finds references to paths only the lower store has', () =>
  withVolume(async (env) => {
    const lib = env.nixAdd(env.A, 'lib', 'lib contents\n');
    env.mountOverlay();
    const store = ['--store', env.url(), ...FEATURES, ...QUIET_GLOBALS];
    const text = env.file('app', `uses ${lib}/bin/x\n`);
    const add = strata([...store, 'add', '--text', text]);
    assert.is(add.status, 0, add.stderr);
    const path = add.stdout.toString('utf8').trim();
    const expected = strata(['store-path', 'text', '--ref', lib, 'app', text]);
    assert.is(path, expected.stdout.toString('utf8').trim());
    const refs = strata([...store, 'query', 'references', path]);
    assert.is(refs.stdout.toString('utf8'), `${lib}\n`);
  }),
);

test.run();
