/**
 * The typed "this store cannot do that" error, in Nix's wording:
 * `operation 'addToStore' is not supported by store 'dummy://'`.
 *
 * @example
 *   throw unsupported(this, 'addNar');
 */
import { isStrataError, type StrataError, strataError } from '../errors.js';
import type { StoreOperation } from './types.js';

/** The error a store throws for an operation it does not have. */
export function unsupported(
  store: { readonly url: string },
  op: StoreOperation | string,
): StrataError {
  return strataError('STRATA_ERR_STORE_UNSUPPORTED', { op, store: store.url });
}

/** True when `e` is an "operation not supported" error. */
export function isUnsupported(e: unknown): e is StrataError {
  return isStrataError(e, 'STRATA_ERR_STORE_UNSUPPORTED');
}
