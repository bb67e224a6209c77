/**
 * Strict streaming NAR parser: bytes → events (spec store-format §3.4, §13).
 *
 * It accepts exactly the canonical grammar, with master's strictness: sorted unique names,
 * field order, one `name`/`node` per entry, valid symlink targets, the length limits (tag 32,
 * name 255, target 4095) and the depth limit (64). Where Nix 2.8 also rejects an input, the
 * error carries 2.8's text; where only master does, master's. Every error is a `StrataError`
 * whose `offset` is the byte where the problem is, and whose message ends in ` (at byte N)`.
 *
 * Strings are checked against their limit before any byte of them is buffered, so a huge
 * length prefix never allocates; file contents are handed out as views of the input chunks.
 *
 * @example
 *   for await (const e of parseNar(createReadStream('x.nar'))) …        // whole input is a NAR
 *   // A NAR inside a framed stream: stop at the final ')' and get the bytes after it.
 *   const p = new NarParser({ trailing: 'stop' });
 *   const used = p.write(chunk, onEvent);   // < chunk.length once p.done: the rest is not NAR
 */
import type { ErrorCode, ErrorParams } from '../errors.js';
import type { NarEvent } from './events.js';
import {
  compareBytes,
  equalBytes,
  isValidEntryName,
  isValidSymlinkTarget,
  NAR_MAGIC,
  NAR_MAX_DEPTH,
  NAR_MAX_NAME,
  NAR_MAX_TAG,
  NAR_MAX_TARGET,
  narError,
  paddingOf,
  showBytes,
  utf8,
} from './format.js';

/** Options of `NarParser` and `parseNar`. */
export interface ParseNarOptions {
  /**
   * What follows the NAR's final `)`: `'reject'` (default; the NAR is the whole input, any
   * further byte is an error) or `'stop'` (a framing layer reads on; see `NarParser.write`).
   */
  trailing?: 'reject' | 'stop';
}

// What the next token means. Numbers, not an enum: this is the parser's hot switch.
const S_MAGIC = 0;
const S_OPEN = 1; // '(' of a node
const S_TYPE_TAG = 2; // 'type'
const S_TYPE = 3; // 'regular' | 'directory' | 'symlink'
const S_REG_TAG = 4; // 'executable' | 'contents'
const S_EXEC_VALUE = 5; // ''
const S_REG_TAG_AFTER_EXEC = 6; // 'contents'
const S_CONTENTS_LEN = 7; // u64
const S_CONTENTS_BODY = 8;
const S_CONTENTS_PAD = 9;
const S_CLOSE_REGULAR = 10; // ')'
const S_SYM_TAG = 11; // 'target'
const S_SYM_TARGET = 12;
const S_CLOSE_SYMLINK = 13; // ')'
const S_DIR_TAG = 14; // 'entry' | ')'
const S_ENTRY_OPEN = 15; // '('
const S_ENTRY_NAME_TAG = 16; // 'name'
const S_ENTRY_NAME = 17;
const S_ENTRY_NODE_TAG = 18; // 'node'
const S_ENTRY_CLOSE = 19; // ')'
const S_DONE = 20;

const T_OPEN = utf8('(');
const T_CLOSE = utf8(')');
const T_TYPE = utf8('type');
const T_REGULAR = utf8('regular');
const T_DIRECTORY = utf8('directory');
const T_SYMLINK = utf8('symlink');
const T_EXECUTABLE = utf8('executable');
const T_CONTENTS = utf8('contents');
const T_TARGET = utf8('target');
const T_ENTRY = utf8('entry');
const T_NAME = utf8('name');
const T_NODE = utf8('node');
const MAGIC = utf8(NAR_MAGIC);

/** u64 values at or above 2^53 (high word ≥ 2^21) do not fit a JS number exactly. */
const MAX_SAFE_HIGH_WORD = 0x20_0000;

/** Little-endian u64 at `at`, as a number (imprecise above 2^53; callers check the high word). */
function readU64(b: Uint8Array, at: number): number {
  const lo = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  const hi = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

/**
 * The push parser. Feed chunks with `write` (events go to `emit` synchronously, content events
 * are views of the chunk) and call `end` when the input ends. Errors are thrown.
 */
export class NarParser {
  readonly #stop: boolean;
  #state = S_MAGIC;
  /** Absolute offset of the next byte not yet consumed. */
  #offset = 0;
  /** Absolute offset of `chunk[0]` during `write`. */
  #base = 0;
  /** Index into the current chunk. */
  #i = 0;
  /** Partial token carried across chunks: header (8), body and padding. */
  readonly #acc = new Uint8Array(8 + NAR_MAX_TARGET + 8);
  #accLen = 0;
  #accNeed = 8;
  /** Absolute offset where the current token starts. */
  #tokStart = 0;
  /** Contents bytes (then padding bytes) of the current file still to come. */
  #remaining = 0;
  #pad = 0;
  #executable = false;
  #target: Uint8Array | null = null;
  #name: Uint8Array | null = null;
  /** Previous entry name of each open directory (null before the first). */
  readonly #dirs: (Uint8Array | null)[] = [];

  constructor(options: ParseNarOptions = {}) {
    this.#stop = options.trailing === 'stop';
  }

  /** True once the NAR's final `)` has been read. */
  get done(): boolean {
    return this.#state === S_DONE;
  }

  /** Bytes consumed so far: the NAR's size once `done`. */
  get offset(): number {
    return this.#offset;
  }

  /**
   * Parses `chunk`, calling `emit` for each event, and returns how many bytes of it belong to
   * the NAR: all of them, except in `'stop'` mode for the chunk in which the NAR ends (the rest
   * is the caller's). In `'reject'` mode any byte after the NAR throws.
   */
  write(chunk: Uint8Array, emit: (e: NarEvent) => void): number {
    const n = chunk.length;
    this.#base = this.#offset;
    this.#i = 0;
    try {
      while (this.#i < n) {
        const state = this.#state;
        if (state === S_CONTENTS_BODY) {
          const i = this.#i;
          const take = Math.min(this.#remaining, n - i);
          emit({ type: 'contents', data: chunk.subarray(i, i + take) });
          this.#i = i + take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = S_CONTENTS_PAD;
        } else if (state === S_CONTENTS_PAD) {
          let i = this.#i;
          for (; this.#pad > 0 && i < n; i++, this.#pad--) {
            if (chunk[i] !== 0)
              throw narError('STRATA_ERR_NAR_NON_ZERO_PADDING', {}, this.#base + i);
          }
          this.#i = i;
          if (this.#pad === 0) this.#state = S_CLOSE_REGULAR;
        } else if (state === S_CONTENTS_LEN) {
          if (!this.#header(chunk)) break;
          this.#contentsLength(emit);
        } else if (state === S_DONE) {
          if (this.#stop) break;
          throw narError('STRATA_ERR_NAR_TRAILING_DATA', {}, this.#base + this.#i);
        } else {
          const tok = this.#token(chunk);
          if (tok === null) break;
          this.#onToken(tok, emit);
        }
      }
      return this.#i;
    } finally {
      this.#offset = this.#base + this.#i;
    }
  }

  /** Declares the end of the input; throws `unexpected end-of-file` unless the NAR is complete. */
  end(): void {
    if (this.#state !== S_DONE) {
      throw narError('STRATA_ERR_NAR_UNEXPECTED_EOF', {}, this.#offset);
    }
  }

  #fail<C extends ErrorCode>(code: C, params: ErrorParams<C>, at = this.#tokStart): never {
    throw narError(code, params, at);
  }

  /**
   * Reads the 8-byte length header of the next token (or the contents length) into `#acc`,
   * or takes it straight from the chunk. Returns false when the chunk ran out first.
   */
  #header(chunk: Uint8Array): boolean {
    const i = this.#i;
    if (this.#accLen === 0) {
      this.#tokStart = this.#base + i;
      if (chunk.length - i >= 8) {
        this.#acc.set(chunk.subarray(i, i + 8));
        this.#accLen = 8;
        this.#i = i + 8;
        return true;
      }
    }
    const take = Math.min(8 - this.#accLen, chunk.length - i);
    this.#acc.set(chunk.subarray(i, i + take), this.#accLen);
    this.#accLen += take;
    this.#i = i + take;
    return this.#accLen === 8;
  }

  /** The u64 contents length has been read: announce the file and start streaming it. */
  #contentsLength(emit: (e: NarEvent) => void): void {
    this.#accLen = 0;
    if (this.#acc[7] !== 0 || this.#acc[6] >= MAX_SAFE_HIGH_WORD >>> 16) {
      this.#fail('STRATA_ERR_NAR_STRING_TOO_LONG', {});
    }
    const size = readU64(this.#acc, 0);
    emit({ type: 'regular', executable: this.#executable, size, narOffset: this.#tokStart + 8 });
    this.#remaining = size;
    this.#pad = paddingOf(size);
    this.#state = size > 0 ? S_CONTENTS_BODY : S_CLOSE_REGULAR;
  }

  /** Checks a string's length against the limit of the current state, before reading it. */
  #checkLength(len: number): void {
    switch (this.#state) {
      case S_MAGIC:
        if (len > MAGIC.length) this.#fail('STRATA_ERR_NAR_BAD_MAGIC', {});
        return;
      case S_EXEC_VALUE:
        if (len > 0) this.#fail('STRATA_ERR_NAR_EXECUTABLE_NOT_EMPTY', {});
        return;
      case S_ENTRY_NAME:
        if (len > NAR_MAX_NAME) this.#fail('STRATA_ERR_NAR_STRING_TOO_LONG', {});
        return;
      case S_SYM_TARGET:
        if (len > NAR_MAX_TARGET) this.#fail('STRATA_ERR_NAR_STRING_TOO_LONG', {});
        return;
      default:
        if (len > NAR_MAX_TAG) this.#fail('STRATA_ERR_NAR_STRING_TOO_LONG', {});
    }
  }

  /** Padding bytes must be zero; in the magic a bad byte means "not a NAR", as in Nix. */
  #checkPadding(b: Uint8Array, from: number, to: number, absFrom: number): void {
    for (let k = from; k < to; k++) {
      if (b[k] !== 0) {
        if (this.#state === S_MAGIC) this.#fail('STRATA_ERR_NAR_BAD_MAGIC', {});
        this.#fail('STRATA_ERR_NAR_NON_ZERO_PADDING', {}, absFrom + (k - from));
      }
    }
  }

  /**
   * Reads the next string token. Returns its bytes (a view valid until the next token), or
   * null when the chunk ran out (the partial token is kept in `#acc`).
   */
  #token(chunk: Uint8Array): Uint8Array | null {
    const n = chunk.length;
    const i = this.#i;
    if (this.#accLen === 0 && n - i >= 8) {
      this.#tokStart = this.#base + i;
      const len = readU64(chunk, i);
      this.#checkLength(len);
      const end = i + 8 + len;
      const total = 8 + len + paddingOf(len);
      if (n - i >= total) {
        this.#checkPadding(chunk, end, i + total, this.#base + end);
        this.#i = i + total;
        return chunk.subarray(i + 8, end);
      }
    }
    // Slow path: the token straddles chunks; gather it (it is at most 8 + 4095 + 1 bytes).
    if (this.#accLen < 8) {
      if (!this.#header(chunk)) return null;
      const len = readU64(this.#acc, 0);
      this.#checkLength(len);
      this.#accNeed = 8 + len + paddingOf(len);
    }
    const j = this.#i;
    const take = Math.min(this.#accNeed - this.#accLen, n - j);
    this.#acc.set(chunk.subarray(j, j + take), this.#accLen);
    this.#accLen += take;
    this.#i = j + take;
    if (this.#accLen < this.#accNeed) return null;
    const len = readU64(this.#acc, 0);
    this.#checkPadding(this.#acc, 8 + len, this.#accNeed, this.#tokStart + 8 + len);
    this.#accLen = 0;
    return this.#acc.subarray(8, 8 + len);
  }

  /**
   * A tag that is not the one expected. `type` again is 2.8's "multiple type fields";
   * a tag 2.8 would have accepted here (it was lax about order) gets master's "expected tag";
   * anything else is 2.8's "unknown field".
   */
  #unexpected(tok: Uint8Array, expected: Uint8Array, laxIn28: Uint8Array[], inNode: boolean) {
    if (inNode && equalBytes(tok, T_TYPE)) this.#fail('STRATA_ERR_NAR_DUPLICATE_TYPE', {});
    for (const t of laxIn28) {
      if (equalBytes(tok, t)) {
        this.#fail('STRATA_ERR_NAR_EXPECTED_TAG', {
          expected: showBytes(expected),
          found: showBytes(tok),
        });
      }
    }
    this.#fail('STRATA_ERR_NAR_UNKNOWN_FIELD', { field: showBytes(tok) });
  }

  #nodeDone(): void {
    this.#state = this.#dirs.length === 0 ? S_DONE : S_ENTRY_CLOSE;
  }

  #onToken(tok: Uint8Array, emit: (e: NarEvent) => void): void {
    switch (this.#state) {
      case S_MAGIC:
        if (!equalBytes(tok, MAGIC)) this.#fail('STRATA_ERR_NAR_BAD_MAGIC', {});
        this.#state = S_OPEN;
        return;
      case S_OPEN:
      case S_ENTRY_OPEN:
        if (!equalBytes(tok, T_OPEN)) this.#fail('STRATA_ERR_NAR_EXPECTED_OPEN', {});
        this.#state = this.#state === S_OPEN ? S_TYPE_TAG : S_ENTRY_NAME_TAG;
        return;
      case S_TYPE_TAG:
        if (!equalBytes(tok, T_TYPE)) this.#unexpected(tok, T_TYPE, [T_CLOSE], false);
        this.#state = S_TYPE;
        return;
      case S_TYPE:
        if (equalBytes(tok, T_REGULAR)) {
          this.#executable = false;
          this.#state = S_REG_TAG;
        } else if (equalBytes(tok, T_DIRECTORY)) {
          emit({ type: 'directory' });
          this.#dirs.push(null);
          this.#state = S_DIR_TAG;
        } else if (equalBytes(tok, T_SYMLINK)) {
          this.#state = S_SYM_TAG;
        } else {
          this.#fail('STRATA_ERR_NAR_UNKNOWN_TYPE', { type: showBytes(tok) });
        }
        return;
      case S_REG_TAG:
        if (equalBytes(tok, T_EXECUTABLE)) this.#state = S_EXEC_VALUE;
        else if (equalBytes(tok, T_CONTENTS)) this.#state = S_CONTENTS_LEN;
        else this.#unexpected(tok, T_CONTENTS, [T_CLOSE], true);
        return;
      case S_EXEC_VALUE:
        this.#executable = true;
        this.#state = S_REG_TAG_AFTER_EXEC;
        return;
      case S_REG_TAG_AFTER_EXEC:
        if (!equalBytes(tok, T_CONTENTS)) {
          this.#unexpected(tok, T_CONTENTS, [T_CLOSE, T_EXECUTABLE], true);
        }
        this.#state = S_CONTENTS_LEN;
        return;
      case S_CLOSE_REGULAR:
        if (!equalBytes(tok, T_CLOSE)) {
          this.#unexpected(tok, T_CLOSE, [T_EXECUTABLE, T_CONTENTS], true);
        }
        emit({ type: 'regular-end' });
        this.#nodeDone();
        return;
      case S_SYM_TAG:
        if (!equalBytes(tok, T_TARGET)) this.#unexpected(tok, T_TARGET, [T_CLOSE], true);
        this.#state = S_SYM_TARGET;
        return;
      case S_SYM_TARGET:
        if (!isValidSymlinkTarget(tok)) this.#fail('STRATA_ERR_NAR_BAD_SYMLINK_TARGET', {});
        this.#target = copyBytes(tok);
        this.#state = S_CLOSE_SYMLINK;
        return;
      case S_CLOSE_SYMLINK:
        if (!equalBytes(tok, T_CLOSE)) this.#unexpected(tok, T_CLOSE, [T_TARGET], true);
        emit({ type: 'symlink', target: this.#target! });
        this.#target = null;
        this.#nodeDone();
        return;
      case S_DIR_TAG:
        if (equalBytes(tok, T_ENTRY)) {
          this.#state = S_ENTRY_OPEN;
        } else if (equalBytes(tok, T_CLOSE)) {
          this.#dirs.pop();
          emit({ type: 'directory-end' });
          this.#nodeDone();
        } else {
          this.#unexpected(tok, T_ENTRY, [], true);
        }
        return;
      case S_ENTRY_NAME_TAG:
        if (equalBytes(tok, T_NODE)) this.#fail('STRATA_ERR_NAR_MISSING_NAME', {});
        if (!equalBytes(tok, T_NAME)) this.#unexpected(tok, T_NAME, [T_CLOSE], false);
        this.#state = S_ENTRY_NAME;
        return;
      case S_ENTRY_NAME: {
        if (!isValidEntryName(tok)) {
          this.#fail('STRATA_ERR_NAR_INVALID_NAME', { name: showBytes(tok) });
        }
        const top = this.#dirs.length - 1;
        const prev = this.#dirs[top];
        if (prev !== null && compareBytes(tok, prev) <= 0) {
          this.#fail('STRATA_ERR_NAR_NOT_SORTED', {});
        }
        const name = copyBytes(tok);
        this.#dirs[top] = name;
        this.#name = name;
        this.#state = S_ENTRY_NODE_TAG;
        return;
      }
      case S_ENTRY_NODE_TAG:
        if (!equalBytes(tok, T_NODE)) this.#unexpected(tok, T_NODE, [T_NAME, T_CLOSE], false);
        if (this.#dirs.length >= NAR_MAX_DEPTH) {
          this.#fail('STRATA_ERR_NAR_TOO_DEEP', {}, this.#base + this.#i);
        }
        emit({ type: 'entry', name: this.#name! });
        this.#name = null;
        this.#state = S_OPEN;
        return;
      case S_ENTRY_CLOSE:
        if (!equalBytes(tok, T_CLOSE)) this.#unexpected(tok, T_CLOSE, [T_NAME, T_NODE], false);
        this.#state = S_DIR_TAG;
        return;
    }
  }
}

/** Source of bytes: any (async) iterable of chunks, e.g. a Node readable stream. */
/**
 * A copy of a token, which may be a view of the caller's chunk. `Buffer#slice` would return
 * another view (unlike `Uint8Array#slice`), and names outlive their chunk: the parser keeps the
 * last name of every open directory, and callers reuse or transfer chunks once written.
 */
function copyBytes(tok: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(tok);
}

export type NarSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** The iterator of `source`, sync or async. */
function iteratorOf<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in source
    ? source[Symbol.asyncIterator]()
    : (source as Iterable<T>)[Symbol.iterator]();
}

/**
 * Drives a `NarParser` over `source`, calling `emit` for every event (synchronously, while the
 * chunk the event points into is current). With `trailing: 'reject'` the whole source must be
 * the NAR; with `'stop'` the source is not read past the chunk in which the NAR ends, the
 * iterator is left open, and the bytes of that chunk after the NAR are returned.
 */
export async function driveNarParser(
  source: NarSource,
  emit: (e: NarEvent) => void,
  options: ParseNarOptions = {},
): Promise<Uint8Array> {
  const parser = new NarParser(options);
  const it = iteratorOf(source);
  let finished = false;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        finished = true;
        parser.end();
        return new Uint8Array(0);
      }
      const chunk = r.value;
      const used = parser.write(chunk, emit);
      if (parser.done && options.trailing === 'stop') {
        finished = true;
        return chunk.subarray(used);
      }
    }
  } finally {
    if (!finished) await it.return?.();
  }
}

/**
 * Parses a NAR from `source` into events. Content events are views of the source's chunks:
 * use each before asking for the next event. See `ParseNarOptions` for trailing data; with
 * `'stop'`, `onRest` receives the bytes of the last chunk that follow the NAR.
 */
export async function* parseNar(
  source: NarSource,
  options: ParseNarOptions & { onRest?: (rest: Uint8Array) => void } = {},
): AsyncGenerator<NarEvent, void, undefined> {
  const parser = new NarParser(options);
  const it = iteratorOf(source);
  const events: NarEvent[] = [];
  const push = (e: NarEvent) => {
    events.push(e);
  };
  let finished = false;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        finished = true;
        parser.end();
        return;
      }
      const chunk = r.value;
      let used = 0;
      let error: unknown = null;
      try {
        used = parser.write(chunk, push);
      } catch (e) {
        error = e;
      }
      // Events before an error are still delivered, as a streaming consumer would see them.
      for (const e of events) yield e;
      events.length = 0;
      if (error !== null) throw error;
      if (parser.done && options.trailing === 'stop') {
        finished = true;
        options.onRest?.(chunk.subarray(used));
        return;
      }
    }
  } finally {
    if (!finished) await it.return?.();
  }
}
