/**
 * The NAR format: the event model, the writer, the strict streaming parser, listings, and
 * (in `fs/`) the file-system side, dump and restore.
 */
export * from './events.js';
export {
  isValidEntryName,
  isValidSymlinkTarget,
  NAR_MAGIC,
  NAR_MAX_DEPTH,
  NAR_MAX_NAME,
  NAR_MAX_TAG,
  NAR_MAX_TARGET,
} from './format.js';
export * from './fs/index.js';
export * from './listing.js';
export {
  driveNarParser,
  NarParser,
  type NarSource,
  type ParseNarOptions,
  parseNar,
} from './parse.js';
export * from './tree.js';
export { encodeNar, NarEncoder, writeNar } from './write.js';
