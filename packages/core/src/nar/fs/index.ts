/** The file-system side of NAR: walk a tree into NAR bytes, write NAR events into a tree. */
export * from './dump.js';
export * from './restore.js';
export * from './single-file-frame.js';
export { WorkerHasher } from './worker-hasher.js';
