/**
 * Experimental features: the master list of names Nix knows (spec/config-and-urls.md §4.8) and
 * the gate that refuses a feature-gated store, setting or command with Nix's message.
 *
 * @example
 *   requireExperimentalFeature(new Set(['nix-command']), 'local-overlay-store');
 *   // throws: experimental Nix feature 'local-overlay-store' is disabled; add
 *   //         '--extra-experimental-features local-overlay-store' to enable it
 */
import { strataError } from '../errors.js';

/**
 * Every feature name current Nix recognises, so configurations shared with any Nix version do
 * not warn. Strata adds no names of its own here.
 */
export const EXPERIMENTAL_FEATURES = [
  'auto-allocate-uids',
  'blake3-hashes',
  'ca-derivations',
  'cgroups',
  'configurable-impure-env',
  'daemon-trust-override',
  'dynamic-derivations',
  'external-builders',
  'fetch-closure',
  'fetch-tree',
  'flakes',
  'git-hashing',
  'impure-derivations',
  'local-overlay-store',
  'mounted-ssh-store',
  'nix-command',
  'no-url-literals',
  'parse-toml-timestamps',
  'pipe-operators',
  'read-only-local-store',
  'recursive-nix',
  'verified-fetches',
] as const;

/** A feature name from {@link EXPERIMENTAL_FEATURES}. */
export type ExperimentalFeature = (typeof EXPERIMENTAL_FEATURES)[number];

const KNOWN: ReadonlySet<string> = new Set(EXPERIMENTAL_FEATURES);

/** True when `name` is a feature Nix knows. */
export function isExperimentalFeature(name: string): name is ExperimentalFeature {
  return KNOWN.has(name);
}

/** The set of enabled features, however the caller holds it. */
export type EnabledFeatures = ReadonlySet<string> | readonly string[];

function has(enabled: EnabledFeatures, feature: string): boolean {
  return Array.isArray(enabled)
    ? enabled.includes(feature)
    : (enabled as ReadonlySet<string>).has(feature);
}

/** True when `feature` is enabled (`flakes` implies `fetch-tree`, as in Nix). */
export function isFeatureEnabled(enabled: EnabledFeatures, feature: string): boolean {
  return has(enabled, feature) || (feature === 'fetch-tree' && has(enabled, 'flakes'));
}

/**
 * Throws Nix's missing-feature error unless `feature` is enabled. A feature name Nix does not
 * know is a programming error (a plugin gating on a typo) and fails as such.
 */
export function requireExperimentalFeature(enabled: EnabledFeatures, feature: string): void {
  if (!isExperimentalFeature(feature)) {
    throw strataError('STRATA_ERR_FEATURE_UNKNOWN', { feature, where: ' (used as a gate)' });
  }
  if (!isFeatureEnabled(enabled, feature)) {
    throw strataError(
      'STRATA_ERR_FEATURE_DISABLED',
      { feature },
      { hint: `add 'extra-experimental-features = ${feature}' to nix.conf, or pass the flag` },
    );
  }
}

/**
 * Parses an `experimental-features` value: whitespace-separated names, sorted and
 * de-duplicated; unknown names are dropped and reported through `warn` with Nix's text.
 */
export function parseExperimentalFeatures(
  tokens: readonly string[],
  warn: (message: string) => void = () => {},
): string[] {
  const out = new Set<string>();
  for (const t of tokens) {
    if (isExperimentalFeature(t)) out.add(t);
    else warn(`unknown experimental feature '${t}'`);
  }
  return [...out].sort();
}
