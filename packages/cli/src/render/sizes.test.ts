import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fixedPoint, pathInfoSize } from './sizes.js';

const test = suite('render/sizes');

test('fixedPoint rounds ties to even, as printf does', () => {
  assert.is(fixedPoint(1n, 8n, 2), '0.12'); // 0.125
  assert.is(fixedPoint(3n, 8n, 2), '0.38'); // 0.375
  assert.is(fixedPoint(5n, 2n, 0), '2');
  assert.is(fixedPoint(7n, 2n, 0), '4');
  assert.is(fixedPoint(-1n, 3n, 2), '-0.33');
  assert.is(fixedPoint(-1n, 1000n, 2), '-0.00');
  assert.is(fixedPoint(0n, 1n, 1), '0.0');
});

test('path-info size columns, exact and human-readable (nix path-info -s/-S/-h)', () => {
  assert.is(pathInfoSize(480, false), '\t        480');
  assert.is(pathInfoSize(480, true), '\t 480.0 ');
  assert.is(pathInfoSize(1024, true), '\t1024.0 ');
  assert.is(pathInfoSize(1040, true), '\t   1.0K');
  assert.is(pathInfoSize(5 * 1024 * 1024 + 1, true), '\t   5.0M');
  assert.is(pathInfoSize(1126, true), '\t   1.1K');
});

test.run();
