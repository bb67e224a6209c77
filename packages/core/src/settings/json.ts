/**
 * JSON text for setting values, which may hold 64-bit integers (`bigint`) that
 * `JSON.stringify` refuses: they are written as plain JSON numbers, as Nix writes them.
 *
 * @example
 *   stringifyJson({ 'max-free': 9223372036854775807n })  // '{"max-free":9223372036854775807}'
 */

/** Like `JSON.stringify`, but writes bigints as numbers; `indent` as in `JSON.stringify`. */
export function stringifyJson(value: unknown, indent?: number): string {
  const marks: string[] = [];
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v !== 'bigint') return v;
      marks.push(v.toString());
      return `\u0000bigint${marks.length - 1}\u0000`;
    },
    indent,
  );
  if (marks.length === 0) return text;
  // A JSON string cannot contain a raw NUL, so these markers only ever come from the replacer.
  return text.replace(/"\\u0000bigint(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]!);
}
