import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ERROR_CODES, isStrataError, StrataError, strataError } from './errors.js';

const test = suite('errors');

test('codes follow STRATA_ERR_<AREA>_<WHAT> and are unique', () => {
  for (const code of ERROR_CODES) assert.match(code, /^STRATA_ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/);
  assert.is(new Set(ERROR_CODES).size, ERROR_CODES.length);
});

test('strataError renders the template and keeps code, hint and offset', () => {
  const e = strataError('STRATA_ERR_HASH_UNKNOWN_ALGO', { algo: 'sha3' }, { hint: 'use sha256' });
  assert.instance(e, StrataError);
  assert.is(e.message, "unknown hash algorithm 'sha3'");
  assert.is(e.code, 'STRATA_ERR_HASH_UNKNOWN_ALGO');
  assert.is(e.hint, 'use sha256');
  assert.ok(isStrataError(e, 'STRATA_ERR_HASH_UNKNOWN_ALGO'));
  assert.not.ok(isStrataError(e, 'STRATA_ERR_NAR_BAD_MAGIC'));
  const n = strataError('STRATA_ERR_NAR_UNEXPECTED_EOF', {}, { offset: 24 });
  assert.is(n.offset, 24);
});

test('the table is sorted: areas by name, codes by name within each area', () => {
  const source = readFileSync(new URL('./errors.ts', import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('const TEMPLATES = {'), source.indexOf('} as const'));
  const areas = body.split(/^ {2}\/\/ --- /m).slice(1);
  const names = areas.map((a) =>
    a
      .slice(0, a.indexOf('\n'))
      .replace(/[\s-]+$/, '')
      .toLowerCase(),
  );
  assert.equal(names, [...names].sort(), 'areas out of order');
  for (const area of areas) {
    const codes = [...area.matchAll(/^ {2}(STRATA_ERR_[A-Z0-9_]+):/gm)].map((m) => m[1]!);
    assert.equal(codes, [...codes].sort(), `codes out of order in '${area.slice(0, 40)}'`);
  }
});

test.run();
