/**
 * NAR writer: events → NAR bytes (spec store-format §3.1–3.2). The events are checked as they
 * come (`NarEventChecker`): names must be valid and strictly increasing byte-wise, contents
 * must add up to the announced size, so the writer only ever produces canonical NARs.
 *
 * Small tokens are gathered into chunks; big content chunks are passed through without a copy.
 *
 * @example
 *   for await (const chunk of writeNar(narEventsOfTree({ type: 'regular', contents: 'hi' })))
 *     sink.write(chunk);
 *   const bytes = encodeNar(narEventsOfTree(tree));   // small NARs, all at once
 */
import type { NarEvent } from './events.js';
import { NarEventChecker } from './events.js';
import { NAR_MAGIC, paddingOf, utf8 } from './format.js';

/** Bytes of `str(s)` for a short ASCII keyword `s`. */
function token(s: string): Uint8Array {
  const body = utf8(s);
  const out = new Uint8Array(8 + body.length + paddingOf(body.length));
  out[0] = body.length;
  out.set(body, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Precomputed token sequences, shared with the file-system dumper. */
export const NAR_TOKENS = {
  magic: token(NAR_MAGIC),
  regular: concat(token('('), token('type'), token('regular')),
  executable: concat(token('executable'), token('')),
  contents: token('contents'),
  symlink: concat(token('('), token('type'), token('symlink'), token('target')),
  directory: concat(token('('), token('type'), token('directory')),
  entryName: concat(token('entry'), token('('), token('name')),
  node: token('node'),
  close: token(')'),
  closeTwice: concat(token(')'), token(')')),
} as const;

/** Writes `n` (a safe integer) as a little-endian u64 at `at`. */
export function writeU64(buf: Uint8Array, at: number, n: number): void {
  let lo = n >>> 0;
  let hi = Math.floor(n / 0x1_0000_0000);
  for (let i = 0; i < 4; i++) {
    buf[at + i] = lo & 0xff;
    lo >>>= 8;
    buf[at + 4 + i] = hi & 0xff;
    hi >>>= 8;
  }
}

const ZEROS = new Uint8Array(8);

/** Content chunks at least this big go out as they are instead of being copied. */
const PASS_THROUGH = 16 * 1024;

/**
 * Incremental NAR encoder: feed events with `event`, call `finish` at the end; complete chunks
 * go to `emit`. Emitted chunks are never reused by the encoder.
 */
export class NarEncoder {
  readonly #emit: (chunk: Uint8Array) => void;
  readonly #chunkSize: number;
  readonly #checker = new NarEventChecker();
  #buf: Uint8Array;
  #pos = 0;
  #size = 0;
  #started = false;

  constructor(emit: (chunk: Uint8Array) => void, chunkSize = 64 * 1024) {
    this.#emit = emit;
    this.#chunkSize = chunkSize;
    this.#buf = new Uint8Array(chunkSize);
  }

  /** Encodes one event; throws a `StrataError` if it cannot come next. */
  event(e: NarEvent): void {
    this.#checker.check(e);
    if (!this.#started) {
      this.#started = true;
      this.#put(NAR_TOKENS.magic);
    }
    switch (e.type) {
      case 'regular':
        this.#put(NAR_TOKENS.regular);
        if (e.executable) this.#put(NAR_TOKENS.executable);
        this.#put(NAR_TOKENS.contents);
        this.#u64(e.size);
        this.#size = e.size;
        break;
      case 'contents':
        if (e.data.length >= PASS_THROUGH) {
          this.#flush();
          this.#emit(e.data);
        } else {
          this.#put(e.data);
        }
        break;
      case 'regular-end':
        this.#put(ZEROS.subarray(0, paddingOf(this.#size)));
        this.#closeNode();
        break;
      case 'symlink':
        this.#put(NAR_TOKENS.symlink);
        this.#string(e.target);
        this.#closeNode();
        break;
      case 'directory':
        this.#put(NAR_TOKENS.directory);
        break;
      case 'entry':
        this.#put(NAR_TOKENS.entryName);
        this.#string(e.name);
        this.#put(NAR_TOKENS.node);
        break;
      case 'directory-end':
        this.#closeNode();
        break;
    }
  }

  /** Checks that the NAR is complete and emits what is left. */
  finish(): void {
    this.#checker.finish();
    this.#flush();
  }

  /** `)` for the node just completed, and `)` for its entry when it has a parent. */
  #closeNode(): void {
    this.#put(this.#checker.depth > 0 ? NAR_TOKENS.closeTwice : NAR_TOKENS.close);
  }

  #string(s: Uint8Array): void {
    this.#u64(s.length);
    this.#put(s);
    this.#put(ZEROS.subarray(0, paddingOf(s.length)));
  }

  #u64(n: number): void {
    if (this.#pos + 8 > this.#buf.length) this.#flush();
    writeU64(this.#buf, this.#pos, n);
    this.#pos += 8;
  }

  #put(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      if (this.#pos === this.#buf.length) this.#flush();
      const n = Math.min(bytes.length - from, this.#buf.length - this.#pos);
      this.#buf.set(
        from === 0 && n === bytes.length ? bytes : bytes.subarray(from, from + n),
        this.#pos,
      );
      this.#pos += n;
      from += n;
    }
  }

  #flush(): void {
    if (this.#pos === 0) return;
    this.#emit(this.#buf.subarray(0, this.#pos));
    this.#buf = new Uint8Array(this.#chunkSize);
    this.#pos = 0;
  }
}

/** Serialises `events` as a NAR, chunk by chunk. */
export async function* writeNar(
  events: AsyncIterable<NarEvent> | Iterable<NarEvent>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const ready: Uint8Array[] = [];
  const encoder = new NarEncoder((c) => ready.push(c));
  for await (const e of events) {
    encoder.event(e);
    if (ready.length > 0) {
      yield* ready;
      ready.length = 0;
    }
  }
  encoder.finish();
  yield* ready;
}

/** Serialises `events` into one buffer: for small, in-memory NARs (text objects, tests). */
export function encodeNar(events: Iterable<NarEvent>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const encoder = new NarEncoder((c) => chunks.push(c));
  for (const e of events) encoder.event(e);
  encoder.finish();
  return concat(...chunks);
}
