/**
 * The one table of Strata's error codes.
 *
 * Every failure a user can see is a `StrataError` with a stable `code` from this table
 * (`STRATA_ERR_<AREA>_<WHAT>`, sorted by area, then by name) and the message its template
 * renders. Where scripts grep Nix's wording, the template is Nix 2.8's text verbatim, so
 * `error: …` lines read the same from Strata as from Nix.
 *
 * @example
 *   throw strataError('STRATA_ERR_HASH_UNKNOWN_ALGO', { algo: 'sha3' });
 *   // error: unknown hash algorithm 'sha3'
 */

type Params = Record<string, string | number | bigint>;

// Each template takes named parameters so call sites stay readable and the text lives here.
const TEMPLATES = {
  // --- cli ---------------------------------------------------------------------------------
  STRATA_ERR_CLI_USAGE: (p: { message: string }) => p.message,
  STRATA_ERR_CLI_IO: (p: { message: string }) => p.message,

  // --- content addresses -------------------------------------------------------------------
  STRATA_ERR_CA_BAD_FORM: (p: { ca: string }) =>
    `not a content address because it is not in the form '<prefix>:<rest>': ${p.ca}`,
  STRATA_ERR_CA_BAD_HASH_FORM: (p: { rest: string }) =>
    `content address hash must be in form '<algo>:<hash>', but found: ${p.rest}`,
  STRATA_ERR_CA_BAD_PREFIX: (p: { prefix: string }) =>
    // "Recogonized" is Nix 2.8's spelling; kept so greps match.
    `content address prefix '${p.prefix}' is unrecognized. Recogonized prefixes are 'text' or 'fixed'`,
  STRATA_ERR_CA_NOT_CONTENT_ADDRESSED: (p: { path: string }) =>
    `cannot add path '${p.path}' to the Nix store because it claims to be content-addressed but isn't`,
  STRATA_ERR_CA_REFERENCES_NOT_ALLOWED: (p: { path: string }) =>
    `fixed-output path '${p.path}' cannot have references`,
  STRATA_ERR_CA_TEXT_NOT_SHA256: (p: { algo: string }) =>
    `text content address hash should use sha256, but instead uses ${p.algo}`,
  STRATA_ERR_CA_TEXT_SELF_REFERENCE: (p: { path: string }) =>
    `text object '${p.path}' cannot refer to itself`,

  // --- hashes ------------------------------------------------------------------------------
  STRATA_ERR_HASH_BAD_BASE16: (p: { text: string }) => `invalid base-16 hash '${p.text}'`,
  STRATA_ERR_HASH_BAD_BASE32: (p: { text: string }) => `invalid base-32 hash '${p.text}'`,
  STRATA_ERR_HASH_BAD_BASE64: (p: { text: string }) => `invalid base-64 hash '${p.text}'`,
  STRATA_ERR_HASH_BAD_BASE64_CHAR: (p: { char: string }) =>
    `invalid character in Base64 string: '${p.char}'`,
  STRATA_ERR_HASH_BAD_SRI: (p: { text: string }) => `invalid SRI hash '${p.text}'`,
  STRATA_ERR_HASH_MISSING_TYPE: (p: { text: string }) => `hash '${p.text}' does not include a type`,
  STRATA_ERR_HASH_UNKNOWN_ALGO: (p: { algo: string }) => `unknown hash algorithm '${p.algo}'`,
  STRATA_ERR_HASH_WRONG_LENGTH: (p: { text: string; algo: string }) =>
    `hash '${p.text}' has wrong length for hash type '${p.algo}'`,
  STRATA_ERR_HASH_WRONG_TYPE: (p: { text: string; algo: string }) =>
    `hash '${p.text}' should have type '${p.algo}'`,

  // --- I/O on the local file system ---------------------------------------------------------
  STRATA_ERR_IO_FAILED: (p: { op: string; path: string; reason: string }) =>
    `${p.op} '${p.path}': ${p.reason}`,
  STRATA_ERR_IO_NOT_FOUND: (p: { path: string }) =>
    `getting status of '${p.path}': No such file or directory`,
  STRATA_ERR_IO_UNSUPPORTED_TYPE: (p: { path: string }) =>
    `file '${p.path}' has an unsupported type`,

  // --- keys and signatures -----------------------------------------------------------------
  STRATA_ERR_KEY_PUBLIC_INVALID: () => 'public key is not valid',
  STRATA_ERR_KEY_SECRET_CORRUPT: () => 'secret key is corrupt',
  STRATA_ERR_KEY_SECRET_INVALID: () => 'secret key is not valid',
  STRATA_ERR_SIG_INVALID: () => 'signature is not valid',
  STRATA_ERR_SIG_UNKNOWN_SIZE: (p: { path: string }) =>
    `cannot calculate fingerprint of path '${p.path}' because its size is not known`,

  // --- NAR ---------------------------------------------------------------------------------
  STRATA_ERR_NAR_BAD_MAGIC: () => "bad archive: input doesn't look like a Nix archive",
  STRATA_ERR_NAR_BAD_SYMLINK_TARGET: () => 'bad archive: NAR contains invalid symlink target',
  STRATA_ERR_NAR_DUPLICATE_TYPE: () => 'bad archive: multiple type fields',
  STRATA_ERR_NAR_EXECUTABLE_NOT_EMPTY: () => 'bad archive: executable marker has non-empty value',
  STRATA_ERR_NAR_EXPECTED_OPEN: () => 'bad archive: expected open tag',
  STRATA_ERR_NAR_EXPECTED_TAG: (p: { expected: string; found: string }) =>
    `bad archive: expected tag '${p.expected}', got '${p.found}'`,
  STRATA_ERR_NAR_INVALID_NAME: (p: { name: string }) =>
    `NAR contains invalid file name '${p.name}'`,
  STRATA_ERR_NAR_MISSING_NAME: () => 'bad archive: entry name missing',
  STRATA_ERR_NAR_NON_ZERO_PADDING: () => 'non-zero padding',
  STRATA_ERR_NAR_NOT_SORTED: () => 'NAR directory is not sorted',
  STRATA_ERR_NAR_TOO_DEEP: () => 'NAR directory nesting exceeds maximum depth of 64',
  STRATA_ERR_NAR_STRING_TOO_LONG: () => 'string is too long',
  STRATA_ERR_NAR_TRAILING_DATA: () => 'bad archive: trailing data after the end of the archive',
  STRATA_ERR_NAR_UNEXPECTED_EOF: () => 'unexpected end-of-file',
  STRATA_ERR_NAR_UNKNOWN_FIELD: (p: { field: string }) => `bad archive: unknown field ${p.field}`,
  STRATA_ERR_NAR_UNKNOWN_TYPE: (p: { type: string }) => `bad archive: unknown file type ${p.type}`,
  STRATA_ERR_NAR_RESTORE_EXISTS: (p: { path: string }) => `creating file '${p.path}': File exists`,
  STRATA_ERR_NAR_RESTORE_OUTSIDE: (p: { path: string }) =>
    `refusing to write '${p.path}' outside the restore target`,
  STRATA_ERR_NAR_PATH_NOT_FOUND: (p: { path: string }) => `NAR does not contain a path '${p.path}'`,

  // --- narinfo -----------------------------------------------------------------------------
  STRATA_ERR_NARINFO_CORRUPT: (p: { whence: string; reason: string }) =>
    `NAR info file '${p.whence}' is corrupt: ${p.reason}`,

  // --- store paths -------------------------------------------------------------------------
  STRATA_ERR_STORE_PATH_BAD_HASH_CHAR: (p: { base: string; char: string }) =>
    `store path '${p.base}' contains illegal base-32 character '${p.char}'`,
  STRATA_ERR_STORE_PATH_BAD_NAME_CHAR: (p: { base: string; char: string }) =>
    `store path '${p.base}' contains illegal character '${p.char}'`,
  STRATA_ERR_STORE_PATH_DOT_NAME: (p: { path: string; name: string }) =>
    `path '${p.path}' is not a valid store path: name '${p.name}' is not allowed`,
  STRATA_ERR_STORE_PATH_EMPTY_NAME: (p: { base: string }) =>
    `store path '${p.base}' has an empty name`,
  STRATA_ERR_STORE_PATH_NAME_TOO_LONG: (p: { base: string }) =>
    `store path '${p.base}' has a name longer than 211 characters`,
  STRATA_ERR_STORE_PATH_NO_DASH: (p: { base: string }) =>
    `'${p.base}' can't name a store path because the hash part is not followed by a '-'`,
  STRATA_ERR_STORE_PATH_NOT_IN_STORE: (p: { path: string }) =>
    `path '${p.path}' is not in the Nix store`,
  STRATA_ERR_STORE_PATH_TOO_SHORT: (p: { base: string }) =>
    `'${p.base}' is too short to be a valid store path`,
  STRATA_ERR_STORE_DIR_INVALID: (p: { dir: string }) =>
    `store directory '${p.dir}' must be an absolute path without a trailing slash`,
} as const satisfies Record<string, (p: never) => string>;

/** Every error code Strata can raise. */
export type ErrorCode = keyof typeof TEMPLATES;

/** The parameters the message template of `C` needs. */
export type ErrorParams<C extends ErrorCode> = Parameters<
  (typeof TEMPLATES)[C]
>[0] extends undefined
  ? Record<string, never>
  : Parameters<(typeof TEMPLATES)[C]>[0];

export interface StrataErrorOptions {
  /** How to fix it, printed as `hint: …` under the error. */
  hint?: string;
  /** The underlying error, kept for `-v` output. */
  cause?: unknown;
  /** The plugin that raised it, when a plugin did. */
  plugin?: string;
  /** Byte offset in a stream (NAR parsing) where the problem was found. */
  offset?: number;
}

/** An error with a stable code and the message a user sees after `error: `. */
export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly plugin?: string;
  readonly offset?: number;

  constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.plugin !== undefined) this.plugin = options.plugin;
    if (options.offset !== undefined) this.offset = options.offset;
  }
}

/** Builds the `StrataError` for `code`, rendering its message from the table. */
export function strataError<C extends ErrorCode>(
  code: C,
  params: ErrorParams<C>,
  options: StrataErrorOptions = {},
): StrataError {
  const render = TEMPLATES[code] as (p: Params) => string;
  return new StrataError(code, render(params as unknown as Params), options);
}

/** True when `e` is a `StrataError`, optionally with the given code. */
export function isStrataError(e: unknown, code?: ErrorCode): e is StrataError {
  return e instanceof StrataError && (code === undefined || e.code === code);
}

/** All codes, sorted: for documentation and for the test that keeps the table sorted. */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(TEMPLATES) as ErrorCode[];
