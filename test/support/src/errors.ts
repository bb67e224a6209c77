import { type ErrorCode, isStrataError, type StrataError } from '@strata/core/errors';
import * as assert from 'uvu/assert';

/**
 * Asserts that `fn` throws a `StrataError` with `code` and, when given, exactly `message`;
 * returns the error for further checks (offset, hint).
 */
export function throwsWith(fn: () => unknown, code: ErrorCode, message?: string): StrataError {
  try {
    fn();
  } catch (e) {
    return checkError(e, code, message);
  }
  assert.unreachable(`expected ${code}${message === undefined ? '' : `: ${message}`}`);
  throw new Error('unreachable');
}

/** `throwsWith` for async functions. */
export async function rejectsWith(
  fn: () => Promise<unknown>,
  code: ErrorCode,
  message?: string,
): Promise<StrataError> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, code, message);
  }
  assert.unreachable(`expected ${code}${message === undefined ? '' : `: ${message}`}`);
  throw new Error('unreachable');
}

function checkError(e: unknown, code: ErrorCode, message: string | undefined): StrataError {
  assert.ok(isStrataError(e), `not a StrataError: ${String(e)}`);
  assert.is(e.code, code);
  if (message !== undefined) assert.is(e.message, message);
  return e;
}
