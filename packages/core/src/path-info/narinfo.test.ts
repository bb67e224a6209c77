import { throwsWith } from '@strata/test-support';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderContentAddress } from '../store-path/content-address.js';
import { StoreDir } from '../store-path/store-dir.js';
import { fingerprintPathInfo } from './fingerprint.js';
import { type NarInfo, narInfoFileName, parseNarInfo, renderNarInfo } from './narinfo.js';
import { countValidSignatures, trustedKeySet, verifySignature } from './signatures.js';

const test = suite('path-info/narinfo');

const storeDir = new StoreDir('/nix/store');
const PUBLIC = 'test-key-1:xk29i4ahu71WkKN+QII/drK2RlIEzIzG7ojxozbArAw=';

// V15 (spec store-format §8), verbatim.
const SELFREF = `StorePath: /nix/store/hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref
URL: nar/0q09ckvki9i2raazlz295ylbwcclwklqx88y9iy3b3mq48znza8l.nar.xz
Compression: xz
FileHash: sha256:0q09ckvki9i2raazlz295ylbwcclwklqx88y9iy3b3mq48znza8l
FileSize: 260
NarHash: sha256:19c6d195zzy687hm6p58y9b7x8x2ay44lbrmlshg853iq3qw9v9p
NarSize: 568
References: hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref wkb38adhw4i46sxpcl84c1g6wxsylyag-dep
Deriver: 2zg18w62cyf774rpxrcwyg7f6fzba5bj-selfref.drv
Sig: test-key-1:+qghU2ls5L+XV9WvGCzhI2/idb7nY2iot1JudjmujoD8jsJB6FACc98px79WV0CE0yLNSC+WTdvRDYxGLKHbCw==
`;

const WITHREF = `StorePath: /nix/store/x43i5lpkpmbhikzy8z64fz4hpqjsa008-withref
URL: nar/0gplyfysr65xr92j6n787hc6aq3868rqz5mv0frh3jh8q32z1rbp.nar.xz
Compression: xz
FileHash: sha256:0gplyfysr65xr92j6n787hc6aq3868rqz5mv0frh3jh8q32z1rbp
FileSize: 180
NarHash: sha256:1s13a09kb2qk7hv7mda8chwd4y3l3i891mfrx7hwl5m8m2qwm7fp
NarSize: 176
References: xrabnx1r49hn890prhx86h6iyn19p976-hello.txt
Sig: test-key-1:Gn5XMMC7g3MfSraXvjJgvUX9RTkYBPRRlNrROTd3aGe9BeEvB8WaXJvNsX8jX1H05Qz+irxE6WGGJC+TVd5ZDQ==
CA: text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4
`;

const SIMPLE = `StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple
URL: nar/04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw.nar
Compression: none
FileHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw
FileSize: 120
NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw
NarSize: 120
References: 
Deriver: 3ghsl9sd83mc26i81adpa2fzf3yw4f68-simple.drv
Sig: test-key-1:xUcJx/w+5KS+tKH3loK/T3yiMaFdfRG7nkAJvx8fWZjIw9Q/79+ZL8h6LyCV+j9IKHBQWfrYxvO5iv+eC2XPBg==
`;

const parse = (text: string, whence = 'test.narinfo'): NarInfo =>
  parseNarInfo(text, storeDir, whence);

const corrupt = (reason: string) => `NAR info file 'test.narinfo' is corrupt: ${reason}`;

const MINIMAL = [
  'StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple',
  'URL: nar/x.nar',
  'NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw',
  'NarSize: 120',
  '',
].join('\n');

test('V15 narinfo files parse and render back byte for byte', () => {
  for (const text of [SELFREF, WITHREF, SIMPLE])
    assert.is(renderNarInfo(parse(text), storeDir), text);
});

test('V15 selfref: fields', () => {
  const info = parse(SELFREF);
  assert.is(info.path, '/nix/store/hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref');
  assert.is(info.url, 'nar/0q09ckvki9i2raazlz295ylbwcclwklqx88y9iy3b3mq48znza8l.nar.xz');
  assert.is(info.compression, 'xz');
  assert.is(
    info.fileHash?.toString(),
    'sha256:0q09ckvki9i2raazlz295ylbwcclwklqx88y9iy3b3mq48znza8l',
  );
  assert.is(info.fileSize, 260);
  assert.is(info.narHash.toString(), 'sha256:19c6d195zzy687hm6p58y9b7x8x2ay44lbrmlshg853iq3qw9v9p');
  assert.is(info.narSize, 568);
  assert.equal(info.references, [
    '/nix/store/hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref',
    '/nix/store/wkb38adhw4i46sxpcl84c1g6wxsylyag-dep',
  ]);
  assert.is(info.deriver, '/nix/store/2zg18w62cyf774rpxrcwyg7f6fzba5bj-selfref.drv');
  assert.is(info.sigs.length, 1);
  assert.is(info.ca, undefined);
  assert.is(info.system, undefined);
  assert.is(narInfoFileName(info.path, storeDir), 'hj2dr6596lyvlmpn9xdg7jd43vf1lhp8.narinfo');
});

test('V15 withref: content address; simple: no references, no CA', () => {
  const withref = parse(WITHREF);
  assert.ok(withref.ca);
  assert.is(
    renderContentAddress(withref.ca),
    'text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4',
  );
  assert.equal(withref.references, ['/nix/store/xrabnx1r49hn890prhx86h6iyn19p976-hello.txt']);
  const simple = parse(SIMPLE);
  assert.equal(simple.references, []);
  assert.is(simple.compression, 'none');
});

test('V15 signatures verify with the test public key', () => {
  const trusted = trustedKeySet([PUBLIC]);
  for (const text of [SELFREF, WITHREF, SIMPLE]) {
    const info = parse(text);
    const [sig] = info.sigs;
    assert.ok(sig);
    assert.ok(verifySignature(fingerprintPathInfo(info), sig, trusted), info.path);
  }
  assert.is(countValidSignatures(parse(SELFREF), trusted, storeDir), 1);
  assert.is(countValidSignatures(parse(SIMPLE), trusted, storeDir), 1);
  assert.is(countValidSignatures(parse(SELFREF), trustedKeySet([]), storeDir), 0);
  assert.is(
    countValidSignatures(parse(WITHREF), trustedKeySet([]), storeDir),
    Number.POSITIVE_INFINITY,
  );
});

test('defaults and quirks: Compression bzip2, unknown keys ignored, unknown-deriver, System', () => {
  const info = parse(
    `${MINIMAL}Foo: bar\nDeriver: unknown-deriver\nSystem: x86_64-linux\nCompression: \n`,
  );
  assert.is(info.compression, 'bzip2');
  assert.is(info.deriver, undefined);
  assert.is(info.system, 'x86_64-linux');
  assert.is(info.fileHash, undefined);
  assert.is(
    renderNarInfo(info, storeDir),
    [
      'StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple',
      'URL: nar/x.nar',
      'Compression: bzip2',
      'NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw',
      'NarSize: 120',
      'References: ',
      'System: x86_64-linux',
      '',
    ].join('\n'),
  );
  // unknown-deriver does not reset a deriver given earlier.
  const d = parse(
    `${MINIMAL}Deriver: 3ghsl9sd83mc26i81adpa2fzf3yw4f68-simple.drv\nDeriver: unknown-deriver\n`,
  );
  assert.is(d.deriver, '/nix/store/3ghsl9sd83mc26i81adpa2fzf3yw4f68-simple.drv');
});

test('Sig lines: a sorted set', () => {
  const info = parse(`${MINIMAL}Sig: zzz\nSig: aaa\nSig: zzz\n`);
  assert.equal(info.sigs, ['aaa', 'zzz']);
  assert.ok(renderNarInfo(info, storeDir).endsWith('References: \nSig: aaa\nSig: zzz\n'));
});

test('References: split on runs of spaces, deduplicated and sorted', () => {
  const info = parse(
    `${MINIMAL}References:  wkb38adhw4i46sxpcl84c1g6wxsylyag-dep   hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref wkb38adhw4i46sxpcl84c1g6wxsylyag-dep\n`,
  );
  assert.equal(info.references, [
    '/nix/store/hj2dr6596lyvlmpn9xdg7jd43vf1lhp8-selfref',
    '/nix/store/wkb38adhw4i46sxpcl84c1g6wxsylyag-dep',
  ]);
});

test('second References / CA lines: corrupt only when the first one was not empty (as Nix)', () => {
  const dep = 'wkb38adhw4i46sxpcl84c1g6wxsylyag-dep';
  assert.equal(parse(`${MINIMAL}References: \nReferences: ${dep}\n`).references, [
    `/nix/store/${dep}`,
  ]);
  throwsWith(
    () => parse(`${MINIMAL}References: ${dep}\nReferences: \n`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('extra References at line 6'),
  );
  const ca = 'text:sha256:0c9wqh1al75kqwplwcjln7ff1zj608mhals1193jgj2mzv5hv1g4';
  assert.ok(parse(`${MINIMAL}CA: \nCA: ${ca}\n`).ca);
  throwsWith(
    () => parse(`${MINIMAL}CA: ${ca}\nCA: \n`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('extra CA at line 6'),
  );
});

test('sizes: an optional +, decimal digits, nothing else', () => {
  assert.is(parse(MINIMAL.replace('NarSize: 120', 'NarSize: +5')).narSize, 5);
  assert.is(parse(MINIMAL.replace('NarSize: 120', 'NarSize: 007')).narSize, 7);
  for (const bad of ['+', '-1', ' 5', '5 ', '5\r', '5x', '0x10', '', '99999999999999999999']) {
    throwsWith(
      () => parse(MINIMAL.replace('NarSize: 120', `NarSize: ${bad}`)),
      'STRATA_ERR_NARINFO_CORRUPT',
      corrupt('invalid NarSize at line 4'),
    );
    throwsWith(
      () => parse(`${MINIMAL}FileSize: ${bad}\n`),
      'STRATA_ERR_NARINFO_CORRUPT',
      corrupt('invalid FileSize at line 5'),
    );
  }
});

test('shape errors: no colon, no final newline', () => {
  throwsWith(
    () => parse(`${MINIMAL}garbage\n`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt("expecting ':' at line 5"),
  );
  throwsWith(
    () => parse(MINIMAL.slice(0, -1)),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt("expecting '\\n' at line 4"),
  );
  throwsWith(
    () => parse(`${MINIMAL}Compression:\n`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt("expecting '\\n' at line 5"),
  );
  // A colon-less line becomes part of the next record's key, which is then unknown.
  throwsWith(
    () => parse(`garbage\n${MINIMAL}`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('StorePath missing'),
  );
  assert.is(parse(`${MINIMAL}garbage\nNarSize: 7\n`).narSize, 120);
});

test('a record "Key:" with nothing after the colon swallows the next line', () => {
  throwsWith(
    () => parse(`${MINIMAL}References:\nDeriver: foo\n`),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    "'Deriver:' is too short to be a valid store path",
  );
  assert.is(parse(`${MINIMAL}Foo:\nNarSize: 7\n`).narSize, 120);
});

test('missing required fields', () => {
  const without = (key: string) =>
    MINIMAL.split('\n')
      .filter((l) => !l.startsWith(`${key}:`))
      .join('\n');
  throwsWith(
    () => parse(without('StorePath')),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('StorePath missing'),
  );
  throwsWith(
    () => parse(without('NarHash')),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('NarHash missing'),
  );
  throwsWith(() => parse(without('URL')), 'STRATA_ERR_NARINFO_CORRUPT', corrupt('URL missing'));
  throwsWith(
    () => parse(`${MINIMAL}URL: \n`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('URL missing'),
  );
  throwsWith(
    () => parse(without('NarSize')),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('NarSize missing or zero'),
  );
  throwsWith(
    () => parse(MINIMAL.replace('NarSize: 120', 'NarSize: 0')),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('NarSize missing or zero'),
  );
  throwsWith(() => parse(''), 'STRATA_ERR_NARINFO_CORRUPT', corrupt('StorePath missing'));
});

test('hash fields: prefixed forms accepted, bad hashes corrupt, unknown algorithms propagate', () => {
  const withHash = (h: string) => MINIMAL.replace(/NarHash: .*/, `NarHash: ${h}`);
  const nix32 = parse(MINIMAL).narHash;
  const sri = parse(withHash(nix32.toSri())).narHash;
  assert.ok(sri.equals(nix32));
  const hex = sri.toString('base16');
  assert.ok(parse(withHash(hex)).narHash.equals(sri));
  assert.is(parse(withHash('md5:00000000000000000000000000000000')).narHash.algorithm, 'md5');
  for (const bad of [
    'sha256:abc',
    '04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw',
    'sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqu',
    'sha256-AAAA',
  ]) {
    throwsWith(
      () => parse(withHash(bad)),
      'STRATA_ERR_NARINFO_CORRUPT',
      corrupt('bad hash at line 3'),
    );
  }
  throwsWith(
    () => parse(`${MINIMAL}FileHash: sha256:abc\n`),
    'STRATA_ERR_NARINFO_CORRUPT',
    corrupt('bad hash at line 5'),
  );
  throwsWith(
    () => parse(withHash('SHA256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw')),
    'STRATA_ERR_HASH_UNKNOWN_ALGO',
    "unknown hash algorithm 'SHA256'",
  );
  throwsWith(
    () => parse(withHash('sha256-!!!!')),
    'STRATA_ERR_HASH_BAD_BASE64_CHAR',
    "invalid character in Base64 string: ''",
  );
});

test('bad store paths and content addresses fail with their own errors', () => {
  throwsWith(
    () => parse(MINIMAL.replace('StorePath: /nix/store/', 'StorePath: /foo/')),
    'STRATA_ERR_STORE_PATH_NOT_IN_STORE',
    "path '/foo/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple' is not in the Nix store",
  );
  throwsWith(
    () => parse(`${MINIMAL}References: rq5zwz2xa0qvazipxxfd8j7np5w8qd2y\n`),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    "'rq5zwz2xa0qvazipxxfd8j7np5w8qd2y' is too short to be a valid store path",
  );
  throwsWith(
    () => parse(`${MINIMAL}Deriver: rq5zwz2xa0qvazipxxfd8j7np5w8qd2u-dep\n`),
    'STRATA_ERR_STORE_PATH_BAD_HASH_CHAR',
    "store path 'rq5zwz2xa0qvazipxxfd8j7np5w8qd2u-dep' contains illegal base-32 character 'u'",
  );
  throwsWith(
    () => parse(`${MINIMAL}Deriver: \n`),
    'STRATA_ERR_STORE_PATH_TOO_SHORT',
    "'' is too short to be a valid store path",
  );
  throwsWith(
    () => parse(`${MINIMAL}CA: foo\n`),
    'STRATA_ERR_CA_BAD_FORM',
    "not a content address because it is not in the form '<prefix>:<rest>': foo",
  );
});

test('whence names the file in errors', () => {
  throwsWith(
    () => parseNarInfo('', storeDir, 'x43i5lpkpmbhikzy8z64fz4hpqjsa008.narinfo'),
    'STRATA_ERR_NARINFO_CORRUPT',
    "NAR info file 'x43i5lpkpmbhikzy8z64fz4hpqjsa008.narinfo' is corrupt: StorePath missing",
  );
});

test('other store dirs expand references with their own directory', () => {
  const opt = new StoreDir('/opt/store');
  const text = SIMPLE.replace('/nix/store/', '/opt/store/').replace(
    'References: ',
    'References: 94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple',
  );
  const info = parseNarInfo(text, opt, 'x');
  assert.equal(info.references, ['/opt/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple']);
  assert.is(info.deriver, '/opt/store/3ghsl9sd83mc26i81adpa2fzf3yw4f68-simple.drv');
  assert.is(renderNarInfo(info, opt), text);
});

test.run();
