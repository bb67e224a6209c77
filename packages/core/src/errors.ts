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
  STRATA_ERR_CLI_EXPORT_BAD_FORMAT: () =>
    "input doesn't look like something created by 'nix-store --export'",
  STRATA_ERR_CLI_EXPORT_BAD_MAGIC: () => 'Nix archive cannot be imported; wrong format',
  STRATA_ERR_CLI_EXPORT_HASH_CHANGED: (p: { path: string; from: string; to: string }) =>
    `hash of path '${p.path}' has changed from '${p.from}' to '${p.to}'!`,
  STRATA_ERR_CLI_IO: (p: { message: string }) => p.message,
  STRATA_ERR_CLI_NO_PATH_FOR_HASH_PART: (p: { hashPart: string }) =>
    `there is no store path corresponding to '${p.hashPart}'`,
  STRATA_ERR_CLI_USAGE: (p: { message: string }) => p.message,

  // --- configuration (nix.conf, NIX_CONFIG, the Strata config file, --option) --------------
  // Syntax and include texts are master's (spec/config-and-urls.md §8); 2.8 said
  // `illegal configuration line '…' in '…'` and `file '…' included from '…' not found`.
  STRATA_ERR_CONFIG_FILE_INVALID: (p: { file: string; reason: string }) =>
    `invalid Strata configuration file '${p.file}': ${p.reason}`,
  STRATA_ERR_CONFIG_INCLUDE_CYCLE: (p: { file: string; chain: string }) =>
    `configuration file "${p.file}" includes itself (include cycle: ${p.chain})`,
  STRATA_ERR_CONFIG_INCLUDE_MISSING: (p: { file: string; from: string }) =>
    `file "${p.file}" included from "${p.from}" not found`,
  STRATA_ERR_CONFIG_INCLUDE_NOT_ABSOLUTE: (p: { file: string; from: string }) =>
    `not an absolute path: "${p.file}" (included from ${p.from}, which has no directory)`,
  STRATA_ERR_CONFIG_MAX_JOBS: (p: { where: string }) =>
    `configuration setting 'max-jobs' should be 'auto' or an integer${p.where}`,
  STRATA_ERR_CONFIG_SYNTAX: (p: { line: string; file: string }) =>
    `syntax error in configuration line '${p.line}' in "${p.file}"`,

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

  // --- derivations (.drv files) -------------------------------------------------------------
  STRATA_ERR_DRV_BAD_ENV: (p: { drv: string; name: string; path: string }) =>
    `derivation '${p.drv}' has incorrect environment variable '${p.name}', should be '${p.path}'`,
  STRATA_ERR_DRV_BAD_OUTPUT: (p: { drv: string; path: string; expected: string }) =>
    `derivation '${p.drv}' has incorrect output '${p.path}', should be '${p.expected}'`,
  STRATA_ERR_DRV_FLOATING_OUTPUT: () =>
    'Cannot use output path of floating content-addressed derivation until we know what it is (e.g. by building it)',
  STRATA_ERR_DRV_NO_SUCH_OUTPUT: (p: { drv: string; output: string }) =>
    `derivation '${p.drv}' does not have an output named '${p.output}'`,
  // 2.8 embeds the parser's own error, whose text starts with "error: ".
  STRATA_ERR_DRV_PARSE: (p: { path: string; reason: string }) =>
    `error parsing derivation '${p.path}': error: ${p.reason}`,
  STRATA_ERR_DRV_TYPE: (p: { reason: string }) => p.reason,
  STRATA_ERR_DRV_UNAVAILABLE: (p: { path: string }) =>
    `path '${p.path}' does not exist and cannot be created`,

  // --- experimental features, plugins, settings, store references, registry, store ops ------
  // `where` parameters are either empty or start with a space: ` (from store URL '…')`.
  STRATA_ERR_FEATURE_DISABLED: (p: { feature: string }) =>
    `experimental Nix feature '${p.feature}' is disabled; add '--extra-experimental-features ${p.feature}' to enable it`,
  STRATA_ERR_FEATURE_UNKNOWN: (p: { feature: string; where: string }) =>
    `unknown experimental feature '${p.feature}'${p.where}`,
  STRATA_ERR_PLUGIN_BAD_MANIFEST: (p: { origin: string; reason: string }) =>
    `invalid plugin manifest in ${p.origin}: ${p.reason}`,
  STRATA_ERR_PLUGIN_CORE_VERSION: (p: { plugin: string; range: string; version: string }) =>
    `plugin '${p.plugin}' needs @strata/core ${p.range}, but this is @strata/core ${p.version}`,
  STRATA_ERR_PLUGIN_DUPLICATE_NAME: (p: { plugin: string; origin: string; other: string }) =>
    `plugin '${p.plugin}' from ${p.origin} is already registered (from ${p.other})`,
  STRATA_ERR_PLUGIN_DUPLICATE_SCHEME: (p: { scheme: string; plugin: string; other: string }) =>
    `store URL scheme '${p.scheme}' of plugin '${p.plugin}' is already registered by plugin '${p.other}'`,
  STRATA_ERR_PLUGIN_DUPLICATE_STORE: (p: { name: string; plugin: string; other: string }) =>
    `Already registered store with name '${p.name}' (plugin '${p.plugin}' and plugin '${p.other}')`,
  STRATA_ERR_PLUGIN_LOAD_FAILED: (p: { specifier: string; origin: string; reason: string }) =>
    `cannot load plugin '${p.specifier}' (from ${p.origin}): ${p.reason}`,
  STRATA_ERR_SETTING_BAD_BOOL: (p: { name: string; value: string; where: string }) =>
    `Boolean setting '${p.name}' has invalid value '${p.value}'${p.where}`,
  STRATA_ERR_SETTING_BAD_OPTION: (p: { name: string; value: string; where: string }) =>
    `option '${p.name}' has invalid value '${p.value}'${p.where}`,
  STRATA_ERR_SETTING_BAD_STORE_URL: (p: { name: string; message: string; where: string }) =>
    `${p.message} (setting '${p.name}'${p.where})`,
  STRATA_ERR_SETTING_BAD_VALUE: (p: { name: string; value: string; where: string }) =>
    `setting '${p.name}' has invalid value '${p.value}'${p.where}`,
  STRATA_ERR_SETTING_EMPTY_PATH: (p: { name: string; where: string }) =>
    `setting '${p.name}' is a path and paths cannot be empty${p.where}`,
  STRATA_ERR_SETTING_NOT_ABSOLUTE: (p: { value: string; where: string }) =>
    `not an absolute path: "${p.value}"${p.where}`,
  STRATA_ERR_SETTING_STORE_DIR_NOT_ABSOLUTE: (p: { value: string; where: string }) =>
    `store directory path "${p.value}" is not an absolute path${p.where}`,
  STRATA_ERR_SETTING_UNKNOWN: (p: { name: string; where: string }) =>
    `unknown setting '${p.name}'${p.where}`,
  STRATA_ERR_STORE_AUTHORITY_FORBIDDEN: (p: { scheme: string; authority: string }) =>
    `\`${p.scheme}\` store URIs must not contain an authority part ${p.authority}`,
  STRATA_ERR_STORE_AUTHORITY_REQUIRED: (p: { scheme: string; url: string }) =>
    `\`${p.scheme}\` Store requires a non-empty authority in Store URL '${p.url}'`,
  STRATA_ERR_STORE_CAPABILITY_MISSING: (p: {
    lower: string;
    setting: string;
    store: string;
    capability: string;
  }) =>
    `store '${p.lower}' cannot be the '${p.setting}' of ${p.store}: it lacks the capability '${p.capability}'`,
  STRATA_ERR_STORE_CYCLE: (p: { chain: string }) => `store reference cycle: ${p.chain}`,
  STRATA_ERR_STORE_DIR_MISMATCH: (p: {
    from: string;
    fromDir: string;
    to: string;
    toDir: string;
  }) =>
    `cannot copy from store '${p.from}' (store directory '${p.fromDir}') to store '${p.to}' (store directory '${p.toDir}')`,
  STRATA_ERR_STORE_LACKS_SIGNATURE: (p: { path: string }) =>
    `cannot add path '${p.path}' because it lacks a valid signature`,
  STRATA_ERR_STORE_NAR_HASH_MISMATCH: (p: { path: string; specified: string; got: string }) =>
    `hash mismatch importing path '${p.path}';\n  specified: ${p.specified}\n  got:       ${p.got}`,
  STRATA_ERR_STORE_NAR_SIZE_MISMATCH: (p: { path: string; specified: string; got: string }) =>
    `size mismatch importing path '${p.path}';\n  specified: ${p.specified}\n  got:       ${p.got}`,
  STRATA_ERR_STORE_NOT_VALID: (p: { path: string }) => `path '${p.path}' is not valid`,
  // Nix's file accessors (`nix store ls/cat`) word an invalid object so.
  STRATA_ERR_STORE_NOT_VALID_FOR_ACCESS: (p: { path: string }) =>
    `path '${p.path}' is not a valid store path`,
  STRATA_ERR_STORE_PATH_ALIVE: (p: { path: string }) =>
    `Cannot delete path '${p.path}' since it is still alive. To find out why, use: nix-store --query --roots`,
  STRATA_ERR_STORE_REFERENCE_CYCLE: (p: { path: string; parent: string }) =>
    `cycle detected in the references of '${p.path}' from '${p.parent}'`,
  STRATA_ERR_STORE_REFERENCE_NOT_VALID: (p: { path: string; reference: string }) =>
    `cannot add path '${p.path}' because its reference '${p.reference}' is not valid`,
  STRATA_ERR_STORE_TREE_INVALID: (p: { at: string; reason: string }) =>
    `invalid store reference tree at ${p.at}: ${p.reason}`,
  STRATA_ERR_STORE_UNKNOWN_NAME: (p: { name: string; known: string }) =>
    `no store named '@${p.name}' is configured (configured: ${p.known})`,
  STRATA_ERR_STORE_UNKNOWN_PARAM: (p: {
    name: string;
    url: string;
    store: string;
    valid: string;
  }) =>
    `unknown setting '${p.name}' in store URL '${p.url}'; the settings of ${p.store} are: ${p.valid}`,
  STRATA_ERR_STORE_UNKNOWN_SCHEME: (p: { scheme: string }) =>
    `don't know how to open Nix store with scheme '${p.scheme}'`,
  STRATA_ERR_STORE_UNSUPPORTED: (p: { op: string; store: string }) =>
    `operation '${p.op}' is not supported by store '${p.store}'`,
  STRATA_ERR_STORE_URL_BAD_QUERY: (p: { query: string; reason: string; url: string }) =>
    `invalid URI query '${p.query}': ${p.reason} (store URL '${p.url}')`,
  STRATA_ERR_STORE_URL_UNPARSABLE: (p: { url: string; reason: string }) =>
    `Cannot parse Nix store '${p.url}': ${p.reason}`,

  // --- hashes ------------------------------------------------------------------------------
  STRATA_ERR_HASH_BAD_BASE16: (p: { text: string }) => `invalid base-16 hash '${p.text}'`,
  STRATA_ERR_HASH_BAD_BASE32: (p: { text: string }) => `invalid base-32 hash '${p.text}'`,
  STRATA_ERR_HASH_BAD_BASE64: (p: { text: string }) => `invalid base-64 hash '${p.text}'`,
  STRATA_ERR_HASH_BAD_BASE64_CHAR: (p: { char: string }) =>
    `invalid character in Base64 string: '${p.char}'`,
  STRATA_ERR_HASH_BAD_SRI: (p: { text: string }) => `invalid SRI hash '${p.text}'`,
  STRATA_ERR_HASH_MISSING_TYPE: (p: { text: string }) => `hash '${p.text}' does not include a type`,
  STRATA_ERR_HASH_MISSING_TYPE_NO_CONTEXT: (p: { text: string }) =>
    `hash '${p.text}' does not include a type, nor is the type otherwise known from context`,
  STRATA_ERR_HASH_NOT_SRI: (p: { text: string }) => `hash '${p.text}' is not SRI`,
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
  STRATA_ERR_KEY_BAD_NAME: (p: { name: string }) =>
    `key name '${p.name}' is not valid: it must be non-empty and contain no ':'`,
  STRATA_ERR_KEY_PUBLIC_INVALID: () => 'public key is not valid',
  STRATA_ERR_KEY_SECRET_CORRUPT: () => 'secret key is corrupt',
  STRATA_ERR_KEY_SECRET_INVALID: () => 'secret key is not valid',
  STRATA_ERR_SIG_INVALID: () => 'signature is not valid',
  STRATA_ERR_SIG_UNKNOWN_SIZE: (p: { path: string }) =>
    `cannot calculate fingerprint of path '${p.path}' because its size is not known`,

  // --- local overlay store (plugins/local-overlay) -----------------------------------------
  // MOUNTED_INCORRECTLY, REMOUNT_HOOK_FAILED and UPPER_LAYER_REQUIRED are Nix master's texts
  // (2.34+/2.35+ quoting, spec/local-overlay.md §3, §4.11); the others are Strata's own.
  STRATA_ERR_LOCAL_OVERLAY_MOUNTED_INCORRECTLY: (p: { real: string }) =>
    `overlay filesystem "${p.real}" mounted incorrectly`,
  STRATA_ERR_LOCAL_OVERLAY_NO_LOCAL_DIR: (p: { lower: string; real: string }) =>
    `lower store '${p.lower}' of overlay store "${p.real}" has no local store directory`,
  STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_FAILED: (p: { hook: string; code: number }) =>
    `program "${p.hook}" failed with exit code ${p.code}`,
  STRATA_ERR_LOCAL_OVERLAY_REMOUNT_HOOK_UNRUNNABLE: (p: { hook: string; reason: string }) =>
    `cannot run program "${p.hook}": ${p.reason}`,
  STRATA_ERR_LOCAL_OVERLAY_STORE_DIR_MISMATCH: (p: {
    real: string;
    storeDir: string;
    lower: string;
    lowerStoreDir: string;
  }) =>
    `overlay store "${p.real}" has store directory '${p.storeDir}', but its lower store '${p.lower}' has '${p.lowerStoreDir}'; they must be the same`,
  STRATA_ERR_LOCAL_OVERLAY_TOO_DEEP: (p: { real: string; depth: number; max: number }) =>
    `overlay store "${p.real}" stacks ${p.depth} overlay stores on each other; at most ${p.max} are allowed`,
  STRATA_ERR_LOCAL_OVERLAY_UPPER_LAYER_REQUIRED: (p: { real: string }) =>
    `overlay store at "${p.real}" requires the 'upper-layer' setting`,

  // --- local store (plugins/local: layout, locks, adding objects) -------------------------
  // CA_MISMATCH, DB_DIR_NOT_WRITABLE and SYMLINKED_STORE are Nix 2.8's texts.
  STRATA_ERR_LOCAL_CANNOT_REPAIR: (p: { path: string }) => `cannot repair path '${p.path}'`,
  STRATA_ERR_LOCAL_CA_MISMATCH: (p: { path: string; specified: string; got: string }) =>
    `ca hash mismatch importing path '${p.path}';\n  specified: ${p.specified}\n  got:       ${p.got}`,
  STRATA_ERR_LOCAL_DB_DIR_NOT_WRITABLE: (p: { dir: string }) =>
    `Nix database directory '${p.dir}' is not writable: Permission denied`,
  // GC_ROOT_* are Nix 2.8's `--add-root` texts.
  STRATA_ERR_LOCAL_GC_ROOT_EXISTS: (p: { link: string }) =>
    `cannot create symlink '${p.link}'; already exists`,
  STRATA_ERR_LOCAL_GC_ROOT_IN_STORE: (p: { link: string }) =>
    `creating a garbage collector root (${p.link}) in the Nix store is forbidden (are you running nix-build inside the store?)`,
  STRATA_ERR_LOCAL_NOT_A_DIRECTORY: (p: { path: string }) => `'${p.path}' is not a directory`,
  STRATA_ERR_LOCAL_READ_ONLY: (p: { store: string; op: string }) =>
    `cannot ${p.op}: store '${p.store}' is read-only`,
  STRATA_ERR_LOCAL_SYMLINKED_STORE: (p: { path: string }) =>
    `the path '${p.path}' is a symlink; this is not allowed for the Nix store and its parent directories`,

  // --- local store database (plugins/local: state/db/db.sqlite and state/db/schema) --------
  // SQLITE is Nix 2.8's form for SQLite failures; SCHEMA_* and BAD_HASH_PART are 2.8's texts,
  // MISSING_READ_ONLY master's (2.8 has no read-only mode).
  STRATA_ERR_LOCALDB_BAD_HASH_PART: () => 'invalid hash part',
  // 2.8 embeds the inner error's what(), whose text starts with "error: ".
  STRATA_ERR_LOCALDB_BAD_ROW: (p: { path: string; reason: string }) =>
    `invalid-path entry for '${p.path}': error: ${p.reason}`,
  STRATA_ERR_LOCALDB_MISSING: (p: { file: string }) =>
    `the Nix database '${p.file}' does not exist (open it with create to make a new store)`,
  STRATA_ERR_LOCALDB_MISSING_READ_ONLY: () =>
    'database does not exist, and cannot be created in read-only mode',
  STRATA_ERR_LOCALDB_PATH_IN_USE: (p: { path: string; referrers: string }) =>
    `cannot delete path '${p.path}' because it is in use by ${p.referrers}`,
  STRATA_ERR_LOCALDB_READ_ONLY: (p: { file: string }) =>
    `cannot modify the Nix database '${p.file}': it is open read-only`,
  STRATA_ERR_LOCALDB_SCHEMA_CORRUPT: (p: { file: string }) => `'${p.file}' is corrupt`,
  STRATA_ERR_LOCALDB_SCHEMA_TOO_NEW: (p: { version: string; supported: number }) =>
    `current Nix store schema is version ${p.version}, but I only support ${p.supported}`,
  STRATA_ERR_LOCALDB_SCHEMA_TOO_OLD: (p: { version: string; supported: number }) =>
    `current Nix store schema is version ${p.version}, but I only support ${p.supported}; upgrade the store with Nix 2.8 first`,
  STRATA_ERR_LOCALDB_SQLITE: (p: { what: string; reason: string; file: string }) =>
    `${p.what}: ${p.reason} (in '${p.file}')`,
  STRATA_ERR_LOCALDB_SQLITE_NOT_BUILT: (p: { tried: string }) =>
    `better-sqlite3's native add-on is not built (looked for ${p.tried})`,

  // --- NAR ---------------------------------------------------------------------------------
  STRATA_ERR_NAR_BAD_EVENT: (p: { reason: string }) => `invalid NAR event sequence: ${p.reason}`,
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
  STRATA_ERR_NAR_PATH_NOT_ABSOLUTE: (p: { path: string }) => `not an absolute path: '${p.path}'`,
  // The texts of `nix nar ls` / `nix nar cat` (2.8) for a path inside a NAR.
  STRATA_ERR_NAR_PATH_NOT_FOUND: (p: { path: string }) => `path '${p.path}' does not exist`,
  STRATA_ERR_NAR_PATH_NOT_IN_NAR: (p: { path: string }) => `path '${p.path}' does not exist in NAR`,
  STRATA_ERR_NAR_PATH_NOT_REGULAR: (p: { path: string }) =>
    `path '${p.path}' is not a regular file`,
  STRATA_ERR_NAR_RESTORE_EXISTS: (p: { path: string }) => `creating file '${p.path}': File exists`,
  STRATA_ERR_NAR_RESTORE_OUTSIDE: (p: { path: string }) =>
    `refusing to write '${p.path}' outside the restore target`,
  STRATA_ERR_NAR_RESTORE_SYMLINK: (p: { path: string; target: string; reason: string }) =>
    `creating symlink from '${p.path}' to '${p.target}': ${p.reason}`,
  STRATA_ERR_NAR_STRING_TOO_LONG: () => 'string is too long',
  STRATA_ERR_NAR_TOO_DEEP: () => 'NAR directory nesting exceeds maximum depth of 64',
  STRATA_ERR_NAR_TRAILING_DATA: () => 'bad archive: trailing data after the end of the archive',
  STRATA_ERR_NAR_UNEXPECTED_EOF: () => 'unexpected end-of-file',
  STRATA_ERR_NAR_UNKNOWN_FIELD: (p: { field: string }) => `bad archive: unknown field ${p.field}`,
  STRATA_ERR_NAR_UNKNOWN_TYPE: (p: { type: string }) => `bad archive: unknown file type ${p.type}`,

  // --- narinfo -----------------------------------------------------------------------------
  // "stoi" is all Nix 2.8 prints for an unreadable Priority (the C++ exception's text).
  STRATA_ERR_NARINFO_CACHE_PRIORITY: () => 'stoi',
  STRATA_ERR_NARINFO_CACHE_STORE_DIR: (p: { uri: string; dir: string; expected: string }) =>
    `binary cache '${p.uri}' is for Nix stores with prefix '${p.dir}', not '${p.expected}'`,
  STRATA_ERR_NARINFO_CORRUPT: (p: { whence: string; reason: string }) =>
    `NAR info file '${p.whence}' is corrupt: ${p.reason}`,

  // --- native add-on (@strata/native: flock, peer credentials) ------------------------------
  // FLOCK and PEER_CREDENTIALS are Nix 2.8's SysError texts; `reason` is strerror's.
  STRATA_ERR_NATIVE_BAD_FD: (p: { fd: string }) => `invalid file descriptor '${p.fd}'`,
  STRATA_ERR_NATIVE_BAD_LOCK_MODE: (p: { mode: string }) =>
    `invalid lock mode '${p.mode}' (expected 'shared', 'exclusive' or 'unlock')`,
  STRATA_ERR_NATIVE_FLOCK: (p: { reason: string }) => `acquiring/releasing lock: ${p.reason}`,
  STRATA_ERR_NATIVE_NOT_BUILT: (p: { file: string; reason: string }) =>
    `the native add-on '${p.file}' of @strata/native cannot be loaded: ${p.reason}`,
  STRATA_ERR_NATIVE_PEER_CREDENTIALS: (p: { reason: string }) =>
    `getting peer credentials: ${p.reason}`,

  // --- overlay mounts (`strata overlay`) ----------------------------------------------------
  // The two NixOS texts are verbatim (spec/local-overlay.md §8.2), `lowerdir` slip included.
  STRATA_ERR_OVERLAY_BAD_PATH: (p: { mountPoint: string; key: string; path: string }) =>
    `overlay ${p.mountPoint}: ${p.key} ${JSON.stringify(p.path)} must not contain a newline or NUL`,
  STRATA_ERR_OVERLAY_CHECK_FAILED: (p: { count: number; total: number }) =>
    `${p.count} of ${p.total} overlay mounts do not match the configuration`,
  STRATA_ERR_OVERLAY_COMMAND_FAILED: (p: { command: string; reason: string }) =>
    `command '${p.command}' failed: ${p.reason}`,
  STRATA_ERR_OVERLAY_CYCLE: (p: { cycle: string }) =>
    `overlay mounts stack on each other in a cycle: ${p.cycle}`,
  STRATA_ERR_OVERLAY_DUPLICATE: (p: { mountPoint: string }) =>
    `overlay mount point ${p.mountPoint} is configured more than once`,
  STRATA_ERR_OVERLAY_LAYER_IN_USE: (p: { mountPoint: string; conflicts: string }) =>
    `cannot mount overlay ${p.mountPoint}: ${p.conflicts}`,
  STRATA_ERR_OVERLAY_LOWERDIR_MISSING: (p: { mountPoint: string; path: string }) =>
    `overlay ${p.mountPoint}: lowerdir ${p.path} does not exist or is not a directory`,
  STRATA_ERR_OVERLAY_MOUNTED_DIFFERENTLY: (p: { mountPoint: string; difference: string }) =>
    `overlay ${p.mountPoint} is mounted differently than configured: ${p.difference}`,
  STRATA_ERR_OVERLAY_NOT_ABSOLUTE: (p: { mountPoint: string; key: string; path: string }) =>
    `overlay ${p.mountPoint}: ${p.key} '${p.path}' is not an absolute path`,
  STRATA_ERR_OVERLAY_NOT_MOUNTED: (p: { mountPoint: string }) =>
    `overlay ${p.mountPoint} is not mounted`,
  STRATA_ERR_OVERLAY_NOT_NORMALIZED: (p: { mountPoint: string; normalized: string }) =>
    `overlay ${p.mountPoint}: the mount point is not a normalized path (write '${p.normalized}')`,
  STRATA_ERR_OVERLAY_NOT_ROOT: (p: { command: string }) =>
    `'strata overlay ${p.command}' needs root (CAP_SYS_ADMIN) to change mounts`,
  STRATA_ERR_OVERLAY_OVERLAPPING: (p: { mountPoint: string; reason: string }) =>
    `overlay ${p.mountPoint}: ${p.reason}`,
  STRATA_ERR_OVERLAY_READ_ONLY_ONE_LOWER: (p: { mountPoint: string }) =>
    `A read-only overlay (without an \`upperdir\`) requires at least 2 \`lowerdir\`s: ${p.mountPoint}`,
  STRATA_ERR_OVERLAY_TOO_DEEP: (p: { mountPoint: string; chain: string }) =>
    `overlay ${p.mountPoint} would be the third overlay in a nested stack (${p.chain}); the kernel allows two (maximum fs stacking depth exceeded)`,
  STRATA_ERR_OVERLAY_UNKNOWN_NAME: (p: { name: string }) =>
    `no overlay mount '${p.name}' in the configuration (give a mount point or its unit name)`,
  STRATA_ERR_OVERLAY_UPPER_WITHOUT_WORK: (p: { mountPoint: string }) =>
    `You cannot define a \`lowerdir\` without a \`workdir\` and vice versa for mount point: ${p.mountPoint}`,
  STRATA_ERR_OVERLAY_WORKDIR_NOT_EMPTY: (p: { mountPoint: string; path: string }) =>
    `overlay ${p.mountPoint}: workdir ${p.path} is not empty`,
  STRATA_ERR_OVERLAY_WORKDIR_OTHER_FS: (p: {
    mountPoint: string;
    workdir: string;
    upperdir: string;
  }) =>
    `overlay ${p.mountPoint}: workdir ${p.workdir} is not on the same file system as upperdir ${p.upperdir}`,

  // --- store paths -------------------------------------------------------------------------
  STRATA_ERR_STORE_DIR_INVALID: (p: { dir: string }) =>
    `store directory '${p.dir}' must be an absolute path without a trailing slash`,
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
  STRATA_ERR_STORE_PATH_NOT_ABSOLUTE: (p: { path: string }) => `not an absolute path: '${p.path}'`,
  STRATA_ERR_STORE_PATH_NOT_IN_STORE: (p: { path: string }) =>
    `path '${p.path}' is not in the Nix store`,
  STRATA_ERR_STORE_PATH_NO_DASH: (p: { base: string }) =>
    `'${p.base}' can't name a store path because the hash part is not followed by a '-'`,
  STRATA_ERR_STORE_PATH_TOO_SHORT: (p: { base: string }) =>
    `'${p.base}' is too short to be a valid store path`,
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
