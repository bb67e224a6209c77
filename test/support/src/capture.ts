import { Writable } from 'node:stream';

/** A writable that keeps what is written, for running the CLI in-process (`main(argv, …)`). */
export function captureStream(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return Object.assign(w, { text: () => Buffer.concat(chunks).toString('utf8') });
}
