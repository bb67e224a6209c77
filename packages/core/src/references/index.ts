/** Reference scanning: which candidate store paths a byte stream (a NAR) refers to. */
export * from './scan.js';
