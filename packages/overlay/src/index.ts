/**
 * @strata/overlay — overlay mounts from declarative configuration (`strata overlay`):
 * the model and its validation, planning (commands, fstab line, systemd units), reading
 * /proc/self/mountinfo, and the runner that mounts, unmounts and remounts.
 */
export * from './compare.js';
export * from './model.js';
export * from './mountinfo.js';
export * from './option-escape.js';
export * from './order.js';
export * from './plan.js';
export * from './render.js';
export * from './runner.js';
export * from './store-chain.js';
export * from './store-mount.js';
export * from './systemd-escape.js';
