/**
 * Query strings of store references (spec/config-and-urls.md §1.3): `&`-separated `key=value`
 * items, split at the first `=`, keys and values percent-decoded exactly once, `+` literal,
 * empty items skipped, items without `=` ignored with Nix's warning, first occurrence wins.
 *
 * @example
 *   decodeQuery('b=2&a=%2Fx&a=3&&flag', 'dummy://?…', console.warn)
 *   // Map { 'b' => '2', 'a' => '/x' }; warns: dubious URI query 'flag' is missing equal sign …
 */
import { strataError } from '../errors.js';
import { percentDecode } from './percent.js';
import { applyQueryLeniency, checkQuery } from './url-syntax.js';

/** Receives non-fatal diagnostics (the CLI prints them as `warning: …`). */
export type Warn = (message: string) => void;

/**
 * Decodes a raw query (the text after the first `?`, without `#fragment`). `url` is the whole
 * reference, quoted in errors. Fails on bad percent escapes and characters not allowed in a
 * query; raw space and `"` are accepted as data.
 */
export function decodeQuery(raw: string, url: string, warn: Warn): Map<string, string> {
  const query = applyQueryLeniency(`?${raw}`).slice(1);
  const bad = checkQuery(query);
  if (bad !== undefined) {
    throw strataError('STRATA_ERR_STORE_URL_BAD_QUERY', { query: raw, reason: bad, url });
  }
  const out = new Map<string, string>();
  for (const item of query.split('&')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq === -1) {
      warn(`dubious URI query '${percentDecode(item)}' is missing equal sign '=', ignoring`);
      continue;
    }
    const key = percentDecode(item.slice(0, eq));
    if (!out.has(key)) out.set(key, percentDecode(item.slice(eq + 1)));
  }
  return out;
}
