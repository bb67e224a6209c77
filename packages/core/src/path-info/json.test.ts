import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHash } from '../hash/parse.js';
import { parseContentAddress } from '../store-path/content-address.js';
import { invalidPathJson, pathInfoToJson, renderNixJson } from './json.js';
import type { NarInfo } from './narinfo.js';
import { makePathInfo } from './path-info.js';

const test = suite('path-info/json');

const HELLO = '/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt';
const SELFREF = '/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref';
const DEP = '/nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep';

test('a CA path from a local store, as nix path-info --json prints it (verified with Nix 2.8)', () => {
  const info = makePathInfo({
    path: HELLO,
    narHash: parseHash('sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq'),
    narSize: 128,
    ca: parseContentAddress('fixed:r:sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq'),
    registrationTime: 1795425843,
  });
  assert.is(
    renderNixJson([pathInfoToJson(info)]),
    '[{"path":"/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt","narHash":"sha256-WEk3mouMv8QTHQwPia0CDqJw2F8WHiV7fVITW1gzfs4=","narSize":128,"references":[],"ca":"fixed:r:sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq","registrationTime":1795425843}]',
  );
  assert.is(
    renderNixJson(pathInfoToJson(info, { closureSize: 128 })),
    '{"path":"/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt","narHash":"sha256-WEk3mouMv8QTHQwPia0CDqJw2F8WHiV7fVITW1gzfs4=","narSize":128,"references":[],"ca":"fixed:r:sha256:1kky6dc5n4sjgmxja7hnbzc718hf0anqj3qc3l9w9gwcifd3fjaq","closureSize":128,"registrationTime":1795425843}',
  );
});

test('an input-addressed built path: deriver, ultimate, self reference (verified with Nix 2.8)', () => {
  const info = makePathInfo({
    path: SELFREF,
    narHash: parseHash('sha256-+YOqQE+npXJ9nMct3FAdNwMKccMJqkLcolGVAyVHprU='),
    narSize: 216,
    references: [DEP, SELFREF],
    deriver: '/nix/store/mp6hx6fasvrd72w4gv33hp6wj2z9slzk-selfref.drv',
    registrationTime: 1795425918,
    ultimate: true,
  });
  assert.is(
    renderNixJson(pathInfoToJson(info, { closureSize: 344 })),
    '{"path":"/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref","narHash":"sha256-+YOqQE+npXJ9nMct3FAdNwMKccMJqkLcolGVAyVHprU=","narSize":216,"references":["/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref","/nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep"],"closureSize":344,"deriver":"/nix/store/mp6hx6fasvrd72w4gv33hp6wj2z9slzk-selfref.drv","registrationTime":1795425918,"ultimate":true}',
  );
  // Without the impure keys (Nix's includeImpureInfo = false).
  assert.is(
    renderNixJson(pathInfoToJson(info, { impure: false })),
    '{"path":"/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref","narHash":"sha256-+YOqQE+npXJ9nMct3FAdNwMKccMJqkLcolGVAyVHprU=","narSize":216,"references":["/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref","/nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep"]}',
  );
});

test('a binary-cache path: signatures, url, downloadHash, downloadSize, closureDownloadSize', () => {
  const narHash = parseHash('sha256:1dd68wjh75ailbf45ah9qdqhl0rp3m8dqbf7kiyp59d79x0am0zr');
  const info: NarInfo = {
    ...makePathInfo({
      path: SELFREF,
      narHash,
      narSize: 216,
      references: [SELFREF, DEP],
      deriver: '/nix/store/mp6hx6fasvrd72w4gv33hp6wj2z9slzk-selfref.drv',
      sigs: [
        'test-key-x:wsf3rhvGU7emD5bDX6t24TWgGc7ScnFfUytMa4cZxQihGTDDQU33pU0jrxf9NI1/secx2u7RC7xQslo3RIopDw==',
      ],
    }),
    url: 'nar/1dd68wjh75ailbf45ah9qdqhl0rp3m8dqbf7kiyp59d79x0am0zr.nar',
    compression: 'none',
    fileHash: narHash,
    fileSize: 216,
  };
  assert.is(
    renderNixJson(pathInfoToJson(info, { closureSize: 344, closureDownloadSize: 344 })),
    '{"path":"/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref","narHash":"sha256-+YOqQE+npXJ9nMct3FAdNwMKccMJqkLcolGVAyVHprU=","narSize":216,"references":["/nix/store/nx1wirpvgj6fs2545l6qrr2hq119qkfm-selfref","/nix/store/rq5zwz2xa0qvazipxxfd8j7np5w8qd2y-dep"],"closureSize":344,"deriver":"/nix/store/mp6hx6fasvrd72w4gv33hp6wj2z9slzk-selfref.drv","signatures":["test-key-x:wsf3rhvGU7emD5bDX6t24TWgGc7ScnFfUytMa4cZxQihGTDDQU33pU0jrxf9NI1/secx2u7RC7xQslo3RIopDw=="],"url":"nar/1dd68wjh75ailbf45ah9qdqhl0rp3m8dqbf7kiyp59d79x0am0zr.nar","downloadHash":"sha256-+YOqQE+npXJ9nMct3FAdNwMKccMJqkLcolGVAyVHprU=","downloadSize":216,"closureDownloadSize":344}',
  );
  // No FileHash and no FileSize in the narinfo: no download keys.
  const bare: NarInfo = { ...info };
  delete bare.fileHash;
  delete bare.fileSize;
  const json = pathInfoToJson(bare);
  assert.is(json.downloadHash, undefined);
  assert.is(json.downloadSize, undefined);
  assert.is(json.url, 'nar/1dd68wjh75ailbf45ah9qdqhl0rp3m8dqbf7kiyp59d79x0am0zr.nar');
});

test('an invalid path', () => {
  assert.is(
    renderNixJson([invalidPathJson('/nix/store/00000000000000000000000000000000-x')]),
    '[{"path":"/nix/store/00000000000000000000000000000000-x","valid":false}]',
  );
});

test("Nix's string escaping: named \\n \\r \\t, other controls as \\u00xx, the rest verbatim", () => {
  assert.is(renderNixJson('a"b\\c\nd\re\tf'), '"a\\"b\\\\c\\nd\\re\\tf"');
  assert.is(renderNixJson('\b\f\u0001\u001f'), '"\\u0008\\u000c\\u0001\\u001f"');
  assert.is(renderNixJson('é€\u007f/'), '"é€\u007f/"');
  assert.is(
    renderNixJson({ a: [1, true, false, null], 'b"': {} }),
    '{"a":[1,true,false,null],"b\\"":{}}',
  );
});

test.run();
