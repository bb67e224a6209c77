/**
 * The version of @strata/core that plugins declare compatibility with (`core: '^0.1.0'`), and
 * the small semver range matcher that checks it (`^`, `~`, comparators, `x` wildcards, `||`).
 *
 * @example
 *   satisfiesRange('0.1.3', '^0.1.0')        // true
 *   satisfiesRange('1.0.0', '>=0.1 <1.0.0')  // false
 */

/** This package's version; a test keeps it equal to package.json's. */
export const CORE_VERSION = '0.1.0';

type Version = [number, number, number];

function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** A partial version (`1`, `1.2`, `1.x`, `*`): the given parts and how many there are. */
function parsePartial(text: string): { v: Version; parts: number } | undefined {
  if (text === '*' || text === 'x' || text === 'X' || text === '')
    return { v: [0, 0, 0], parts: 0 };
  const m = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?$/.exec(text);
  if (!m) return undefined;
  const nums = [m[1], m[2], m[3]].filter((p) => p !== undefined && /^\d+$/.test(p));
  // A wildcard ends the significant parts.
  const parts =
    m[2] === undefined || !/^\d+$/.test(m[2])
      ? 1
      : m[3] === undefined || !/^\d+$/.test(m[3])
        ? 2
        : 3;
  const v = [0, 0, 0] as Version;
  nums.slice(0, parts).forEach((n, i) => {
    v[i] = Number(n);
  });
  return { v, parts };
}

function upper(v: Version, parts: number): Version {
  if (parts === 1) return [v[0] + 1, 0, 0];
  if (parts === 2) return [v[0], v[1] + 1, 0];
  return [v[0], v[1], v[2] + 1];
}

/** Comparator tests for one space-separated term, or undefined when it is not valid. */
function term(t: string): Array<(v: Version) => boolean> | undefined {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.*)$/.exec(t)!;
  const op = m[1] ?? '';
  const p = parsePartial(m[2]!);
  if (!p) return undefined;
  const { v, parts } = p;
  switch (op) {
    case '^': {
      const hi: Version =
        v[0] > 0 || parts <= 1
          ? [v[0] + 1, 0, 0]
          : v[1] > 0 || parts <= 2
            ? [0, v[1] + 1, 0]
            : [0, 0, v[2] + 1];
      return [(x) => cmp(x, v) >= 0, (x) => cmp(x, hi) < 0];
    }
    case '~':
      return [(x) => cmp(x, v) >= 0, (x) => cmp(x, upper(v, parts === 1 ? 1 : 2)) < 0];
    case '>=':
      return [(x) => cmp(x, v) >= 0];
    case '>':
      return parts === 3 ? [(x) => cmp(x, v) > 0] : [(x) => cmp(x, upper(v, parts)) >= 0];
    case '<=':
      return parts === 3 ? [(x) => cmp(x, v) <= 0] : [(x) => cmp(x, upper(v, parts)) < 0];
    case '<':
      return [(x) => cmp(x, v) < 0];
    default:
      if (parts === 0) return [() => true];
      if (parts === 3) return [(x) => cmp(x, v) === 0];
      return [(x) => cmp(x, v) >= 0, (x) => cmp(x, upper(v, parts)) < 0];
  }
}

/** True when `range` is a semver range this matcher understands. */
export function isValidRange(range: string): boolean {
  return range.split('||').every((alt) =>
    alt
      .trim()
      .split(/\s+/)
      .every((t) => term(t) !== undefined),
  );
}

/** True when `version` satisfies `range` (npm semantics for the supported forms). */
export function satisfiesRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  return range.split('||').some((alt) =>
    alt
      .trim()
      .split(/\s+/)
      .every((t) => (term(t) ?? [() => false]).every((f) => f(v))),
  );
}
