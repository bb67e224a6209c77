import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compareStoreReferences,
  parseStoreReference,
  renderStoreReference,
  type StoreReference,
  storeReferencesEqual,
} from './reference.js';

const test = suite('store references');

function shape(ref: StoreReference) {
  const v = ref.variant;
  return {
    v: v.kind === 'specified' ? `${v.scheme} ${JSON.stringify(v.authority)}` : v.kind,
    params: Object.fromEntries(ref.params),
  };
}

const parse = (text: string) => parseStoreReference(text, { cwd: '/cwd' });

// spec/config-and-urls.md §1.6: the upstream data files. [file, input, RT?, variant, params, render]
const V6 = 'fea5:23e1:3916:fc24:cb52:2837:2ecb:ea8e';
const UPSTREAM: Array<[string, string, boolean, string, Record<string, string>, string]> = [
  ['auto', 'auto', true, 'auto', {}, 'auto'],
  [
    'auto_param',
    'auto?root=/foo/bar/baz',
    true,
    'auto',
    { root: '/foo/bar/baz' },
    'auto?root=/foo/bar/baz',
  ],
  ['daemon_shorthand', 'daemon', true, 'daemon', {}, 'daemon'],
  [
    'local_1',
    'local://?root=/foo/bar/baz',
    true,
    'local ""',
    { root: '/foo/bar/baz' },
    'local://?root=/foo/bar/baz',
  ],
  [
    'local_2',
    'local:///foo/bar/baz?trusted=true',
    true,
    'local "/foo/bar/baz"',
    { trusted: 'true' },
    'local:///foo/bar/baz?trusted=true',
  ],
  [
    'local_3',
    'local://?root=/foo%20bar/baz',
    true,
    'local ""',
    { root: '/foo bar/baz' },
    'local://?root=/foo%20bar/baz',
  ],
  [
    'local_3_no_percent',
    'local://?root=/foo bar/baz',
    false,
    'local ""',
    { root: '/foo bar/baz' },
    'local://?root=/foo%20bar/baz',
  ],
  [
    'local_shorthand_1',
    'local?root=/foo/bar/baz',
    false,
    'local ""',
    { root: '/foo/bar/baz' },
    'local://?root=/foo/bar/baz',
  ],
  ['local_shorthand_3', 'local', true, 'local', {}, 'local'],
  [
    'local_shorthand_path_unix',
    '/foo/bar/baz?trusted=true',
    false,
    'local "/foo/bar/baz"',
    { trusted: 'true' },
    'local:///foo/bar/baz?trusted=true',
  ],
  [
    'unix',
    'unix://?max-connections=7&trusted=true',
    true,
    'unix ""',
    { 'max-connections': '7', trusted: 'true' },
    'unix://?max-connections=7&trusted=true',
  ],
  [
    'unix_shorthand',
    'daemon?max-connections=7&trusted=true',
    false,
    'unix ""',
    { 'max-connections': '7', trusted: 'true' },
    'unix://?max-connections=7&trusted=true',
  ],
  ['ssh', 'ssh://localhost', true, 'ssh "localhost"', {}, 'ssh://localhost'],
  ['ssh_unbracketed_ipv6_1', 'ssh://::1', false, 'ssh "[::1]"', {}, 'ssh://[::1]'],
  [
    'ssh_unbracketed_ipv6_2',
    `ssh://userinfo@${V6}`,
    false,
    `ssh "userinfo@[${V6}]"`,
    {},
    `ssh://userinfo@[${V6}]`,
  ],
  [
    'ssh_unbracketed_ipv6_3',
    `ssh://userinfo@${V6}?a=b&c=d`,
    false,
    `ssh "userinfo@[${V6}]"`,
    { a: 'b', c: 'd' },
    `ssh://userinfo@[${V6}]?a=b&c=d`,
  ],
  [
    'ssh_unbracketed_ipv6_4',
    `ssh://userinfo@[${V6}%eth0]?a=b&c=d`,
    false,
    `ssh "userinfo@[${V6}%25eth0]"`,
    { a: 'b', c: 'd' },
    `ssh://userinfo@[${V6}%25eth0]?a=b&c=d`,
  ],
  [
    'ssh_unbracketed_ipv6_5',
    `ssh://userinfo@[${V6}%25eth0]?a=b&c=d`,
    false,
    `ssh "userinfo@[${V6}%25eth0]"`,
    { a: 'b', c: 'd' },
    `ssh://userinfo@[${V6}%25eth0]?a=b&c=d`,
  ],
  [
    'ssh_unbracketed_ipv6_6',
    `ssh://userinfo@${V6}%25?a=b&c=d`,
    false,
    `ssh "userinfo@[${V6}%2525]"`,
    { a: 'b', c: 'd' },
    `ssh://userinfo@[${V6}%2525]?a=b&c=d`,
  ],
  [
    'ssh_unbracketed_ipv6_7',
    `ssh://userinfo@${V6}%eth0?a=b&c=d`,
    false,
    `ssh "userinfo@[${V6}%25eth0]"`,
    { a: 'b', c: 'd' },
    `ssh://userinfo@[${V6}%25eth0]?a=b&c=d`,
  ],
  [
    'ssh_unbracketed_ipv6_8',
    `ssh://${V6}%eth0?a=b&c=d`,
    false,
    `ssh "[${V6}%25eth0]"`,
    { a: 'b', c: 'd' },
    `ssh://[${V6}%25eth0]?a=b&c=d`,
  ],
  [
    'ssh_unbracketed_ipv6_9',
    `ssh://${V6}%eth0`,
    false,
    `ssh "[${V6}%25eth0]"`,
    {},
    `ssh://[${V6}%25eth0]`,
  ],
];

for (const [file, input, rt, variant, params, rendered] of UPSTREAM) {
  test(`upstream ${file}: ${input}`, () => {
    const ref = parse(input);
    assert.equal(shape(ref), { v: variant, params });
    assert.is(renderStoreReference(ref), rendered);
    if (rt) assert.is(renderStoreReference(ref), input);
    // Canonical and stable: parsing the rendering gives the same reference again.
    assert.ok(storeReferencesEqual(parse(renderStoreReference(ref)), ref));
  });
}

// spec §1.7, master column: what parses, to what, and its rendering.
const MORE: Array<[string, string, Record<string, string>, string]> = [
  ['', 'auto', {}, 'auto'],
  ['dummy://', 'dummy ""', {}, 'dummy://'],
  ['dummy:', 'dummy ""', {}, 'dummy://'],
  ['dummy:/x', 'dummy "/x"', {}, 'dummy:///x'],
  ['dummy://x', 'dummy "x"', {}, 'dummy://x'],
  ['Dummy://', 'Dummy ""', {}, 'Dummy://'],
  ['bogus://x', 'bogus "x"', {}, 'bogus://x'],
  ['local://', 'local ""', {}, 'local://'],
  ['daemon://', 'daemon ""', {}, 'daemon://'],
  ['auto://', 'auto ""', {}, 'auto://'],
  ['dummy://?store=/a%20b', 'dummy ""', { store: '/a b' }, 'dummy://?store=/a%20b'],
  ['dummy://?store=/a b', 'dummy ""', { store: '/a b' }, 'dummy://?store=/a%20b'],
  ['dummy://?store=/x%2fy', 'dummy ""', { store: '/x/y' }, 'dummy://?store=/x/y'],
  ['dummy://?priority=%2B5', 'dummy ""', { priority: '+5' }, 'dummy://?priority=%2B5'],
  ['./relstore', 'local "/cwd/relstore"', {}, 'local:///cwd/relstore'],
  ['relstore/x', 'local "/cwd/relstore/x"', {}, 'local:///cwd/relstore/x'],
  ['~/x', 'local "/cwd/~/x"', {}, 'local:///cwd/~/x'],
  ['/a/../b', 'local "/b"', {}, 'local:///b'],
  ['/A?root=/B', 'local "/A"', { root: '/B' }, 'local:///A?root=/B'],
  ['local?root=', 'local ""', { root: '' }, 'local://?root='],
  ['unix://', 'unix ""', {}, 'unix://'],
  ['unix:///run/x%20y', 'unix "/run/x%20y"', {}, 'unix:///run/x%20y'],
  ['unix:/run/s', 'unix "/run/s"', {}, 'unix:///run/s'],
  ['unix://host/sock', 'unix "host/sock"', {}, 'unix://host/sock'],
  ['unix://?path=/x', 'unix ""', { path: '/x' }, 'unix://?path=/x'],
  ['file:///d/', 'file "/d/"', {}, 'file:///d/'],
  ['file:/d', 'file "/d"', {}, 'file:///d'],
  ['file://', 'file "/"', {}, 'file:///'],
  ['https://', 'https ""', {}, 'https://'],
  ['http://localhost:1/', 'http "localhost:1/"', {}, 'http://localhost:1/'],
  ['https://h/a%2fb', 'https "h/a%2Fb"', {}, 'https://h/a%2Fb'],
  ['http://h/a+b', 'http "h/a%2Bb"', {}, 'http://h/a%2Bb'],
  ['https://foo.bar.baz/a/b/', 'https "foo.bar.baz/a/b/"', {}, 'https://foo.bar.baz/a/b/'],
  ['ssh://h%20x', 'ssh "h%20x"', {}, 'ssh://h%20x'],
  ['ssh://[::1]:22', 'ssh "[::1]:22"', {}, 'ssh://[::1]:22'],
  ['ssh://user@host:2222', 'ssh "user@host:2222"', {}, 'ssh://user@host:2222'],
  ['ssh://user:pw@host', 'ssh "user:pw@host"', {}, 'ssh://user:pw@host'],
  ['ssh://host/path', 'ssh "host/path"', {}, 'ssh://host/path'],
  ['ssh://host:', 'ssh "host"', {}, 'ssh://host'],
  ['ssh://127.0.0.1:22', 'ssh "127.0.0.1:22"', {}, 'ssh://127.0.0.1:22'],
  [
    'ssh-ng://me@localhost:2222?remote-program=foo bar',
    'ssh-ng "me@localhost:2222"',
    { 'remote-program': 'foo bar' },
    'ssh-ng://me@localhost:2222?remote-program=foo%20bar',
  ],
  // A reg-name host keeps only unreserved characters when rendered (spec §1.4).
  ['ssh://-oProxyCommand=x', 'ssh "-oProxyCommand%3Dx"', {}, 'ssh://-oProxyCommand%3Dx'],
  // Unbracketed: the whole rest is one IPv6 address (the shim allows no port).
  ['ssh://::1:22', 'ssh "[::1:22]"', {}, 'ssh://[::1:22]'],
  [
    'local-overlay://?lower-store=/x&upper-layer=/y',
    'local-overlay ""',
    { 'lower-store': '/x', 'upper-layer': '/y' },
    'local-overlay://?lower-store=/x&upper-layer=/y',
  ],
  ['mounted-ssh-ng://localhost', 'mounted-ssh-ng "localhost"', {}, 'mounted-ssh-ng://localhost'],
  ['s3://bucket', 's3 "bucket"', {}, 's3://bucket'],
  ['git+file:/x', 'git+file "/x"', {}, 'git+file:///x'],
  ['ssh://[v1.fe]', 'ssh "[v1.fe]"', {}, 'ssh://[v1.fe]'],
  // §1.3 query rules
  ['dummy://?&&a=1&', 'dummy ""', { a: '1' }, 'dummy://?a=1'],
  ['dummy://?store=/a=b', 'dummy ""', { store: '/a=b' }, 'dummy://?store=/a%3Db'],
  ['dummy://?=x', 'dummy ""', { '': 'x' }, 'dummy://?=x'],
  ['dummy://?store=/a&store=/b', 'dummy ""', { store: '/a' }, 'dummy://?store=/a'],
  ['dummy://?st%6Fre=/q', 'dummy ""', { store: '/q' }, 'dummy://?store=/q'],
  ['dummy://?x=%E5%86%86', 'dummy ""', { x: '円' }, 'dummy://?x=%E5%86%86'],
  ['dummy://?x=a+b', 'dummy ""', { x: 'a+b' }, 'dummy://?x=a%2Bb'],
  ['dummy://?x="q"', 'dummy ""', { x: '"q"' }, 'dummy://?x=%22q%22'],
  ['dummy://?store=/a#frag', 'dummy ""', { store: '/a' }, 'dummy://?store=/a'],
  ['dummy://?store=/a?b', 'dummy ""', { store: '/a?b' }, 'dummy://?store=/a?b'],
  ['dummy://?Priority=1', 'dummy ""', { Priority: '1' }, 'dummy://?Priority=1'],
  [
    'dummy://?priority=2;trusted=1',
    'dummy ""',
    { priority: '2;trusted=1' },
    'dummy://?priority=2%3Btrusted%3D1',
  ],
  ['local?root=/a b', 'local ""', { root: '/a b' }, 'local://?root=/a%20b'],
  ['auto?x=1', 'auto', { x: '1' }, 'auto?x=1'],
  ['/srv/a b', 'local "/srv/a%20b"', {}, 'local:///srv/a%20b'],
  ['/', 'local "/"', {}, 'local:///'],
];

for (const [input, variant, params, rendered] of MORE) {
  test(`parses ${JSON.stringify(input)}`, () => {
    const ref = parse(input);
    assert.equal(shape(ref), { v: variant, params });
    assert.is(renderStoreReference(ref), rendered);
    assert.ok(storeReferencesEqual(parse(rendered), ref), 'render is stable');
  });
}

test('values are percent-decoded exactly once', () => {
  const ref = parse('dummy://?x=%2541&y=%252F');
  assert.is(ref.params.get('x'), '%41');
  assert.is(ref.params.get('y'), '%2F');
  assert.is(renderStoreReference(ref), 'dummy://?x=%2541&y=%252F');
});

test('a nested reference survives being a parameter value, at any depth', () => {
  const inner = 'local-overlay://?lower-store=%2Fsrv%2Fbase&upper-layer=/u%20v';
  const middle = `local-overlay://?lower-store=${encodeURIComponent(inner)}&root=/m`;
  const outer = parse(`local-overlay://?lower-store=${encodeURIComponent(middle)}`);
  const m = parse(outer.params.get('lower-store')!);
  assert.is(m.params.get('root'), '/m');
  const i = parse(m.params.get('lower-store')!);
  assert.equal(Object.fromEntries(i.params), { 'lower-store': '/srv/base', 'upper-layer': '/u v' });
  assert.ok(storeReferencesEqual(parse(renderStoreReference(outer)), outer));
});

test('extra parameters win over the query', () => {
  const ref = parseStoreReference('dummy://?a=1&b=2', { extraParams: { a: 'x' } });
  assert.equal(Object.fromEntries(ref.params), { a: 'x', b: '2' });
});

test('an item without = is ignored with the master warning', () => {
  const warnings: string[] = [];
  const ref = parseStoreReference('dummy://?store&a=1', { warn: (m) => warnings.push(m) });
  assert.equal(Object.fromEntries(ref.params), { a: '1' });
  assert.equal(warnings, ["dubious URI query 'store' is missing equal sign '=', ignoring"]);
});

test('the local and daemon words become schemes once they have parameters', () => {
  assert.is(renderStoreReference(parse('local?trusted=1')), 'local://?trusted=1');
  assert.is(renderStoreReference(parse('daemon?x=1')), 'unix://?x=1');
  assert.is(renderStoreReference(parse('daemon')), 'daemon');
  assert.is(renderStoreReference(parse('local:///x?a=1'), false), 'local:///x');
});

const BAD: Array<[string, string]> = [
  [
    'dummy',
    "Cannot parse Nix store 'dummy': it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /)",
  ],
  [
    'foo',
    "Cannot parse Nix store 'foo': it is not a URL (scheme://…), a shorthand (auto, daemon, local) or a path (containing a /)",
  ],
  ['://foo', "Cannot parse Nix store '://foo': the scheme is empty"],
  [':x', "Cannot parse Nix store ':x': the scheme is empty"],
  ['unix:///a b', "Cannot parse Nix store 'unix:///a b': character ' ' is not allowed in the path"],
  [
    'file://foo/bar',
    "Cannot parse Nix store 'file://foo/bar': file:// URL 'file://foo/bar' has unexpected authority 'foo'",
  ],
  ['ssh://host:99999', "Cannot parse Nix store 'ssh://host:99999': port '99999' is invalid"],
  ['ssh://host:0', "Cannot parse Nix store 'ssh://host:0': port '0' is invalid"],
  ['ssh://host:2x', "Cannot parse Nix store 'ssh://host:2x': invalid port '2x' in the authority"],
  [
    'ssh://[::1',
    "Cannot parse Nix store 'ssh://[::1': unterminated IP literal '[::1' in the authority",
  ],
  [
    'ssh://[::g]',
    "Cannot parse Nix store 'ssh://[::g]': invalid IPv6 address '::g' in the authority",
  ],
  [
    'ssh://a@b@c',
    "Cannot parse Nix store 'ssh://a@b@c': character '@' is not allowed in the host name",
  ],
  ['ssh://me@::1/x', "Cannot parse Nix store 'ssh://me@::1/x': invalid port ':1' in the authority"],
  ['ssh://h%zz', "Cannot parse Nix store 'ssh://h%zz': bad percent escape '%zz' in the host name"],
  [
    'https://h/a%2',
    "Cannot parse Nix store 'https://h/a%2': incomplete percent escape '%2' at the end in the path",
  ],
  [
    'https://h/a|b',
    "Cannot parse Nix store 'https://h/a|b': character '|' is not allowed in the path",
  ],
  [
    'dummy://?x=%zz',
    "invalid URI query 'x=%zz': bad percent escape '%zz' in the query (store URL 'dummy://?x=%zz')",
  ],
  [
    'dummy://?x=/a%2',
    "invalid URI query 'x=/a%2': incomplete percent escape '%2' at the end in the query (store URL 'dummy://?x=/a%2')",
  ],
  [
    'dummy://?x=a|b',
    "invalid URI query 'x=a|b': character '|' is not allowed in the query (store URL 'dummy://?x=a|b')",
  ],
  [
    'dummy://?x=a{b',
    "invalid URI query 'x=a{b': character '{' is not allowed in the query (store URL 'dummy://?x=a{b')",
  ],
  [
    'local?root=/p|x',
    "invalid URI query 'root=/p|x': character '|' is not allowed in the query (store URL 'local?root=/p|x')",
  ],
  [
    '/srv?x=%',
    "invalid URI query 'x=%': incomplete percent escape '%' at the end in the query (store URL '/srv?x=%')",
  ],
  [
    'C:\\foo\\bar\\baz?trusted=true',
    "Cannot parse Nix store 'C:\\foo\\bar\\baz?trusted=true': character '\\' is not allowed in the path",
  ],
];

for (const [input, message] of BAD) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parse(input),
      (e: Error) => {
        assert.is(e.message, message);
        return true;
      },
    );
  });
}

test('references are ordered auto < specified < daemon < local, then by fields', () => {
  const refs = ['local', 'daemon', 'ssh://b', 'auto', 'ssh://a?x=1', 'ssh://a', 'dummy://'].map(
    parse,
  );
  const sorted = [...refs].sort(compareStoreReferences).map((r) => renderStoreReference(r));
  assert.equal(sorted, [
    'auto',
    'dummy://',
    'ssh://a',
    'ssh://a?x=1',
    'ssh://b',
    'daemon',
    'local',
  ]);
  assert.not.ok(storeReferencesEqual(parse('daemon'), parse('unix://')));
});

test.run();
