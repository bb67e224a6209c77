/**
 * What `strata config show` prints, as pure functions of a {@link Configuration}.
 *
 * Text: one `name = value` line per setting, sorted by name, exactly as `nix show-config`
 * prints them (so `grep '^cores = '` works and the output diffs against Nix's), followed by an
 * empty line as Nix ends its listing. Each value that does not come from its default gets its
 * origin as a trailing nix.conf comment, `  # from /etc/nix/nix.conf:3`, so the listing is
 * itself a valid nix.conf; `origins: false` leaves the comments out.
 *
 * JSON: an object keyed by setting name; each entry has `value`, `origin`, `overridden`,
 * `defaultValue`, `documentDefault`, `description` and `aliases`. Values keep their types
 * (64-bit integers are plain JSON numbers; experimental features are names).
 *
 * @example
 *   showConfigText(config)
 *   // 'accept-flake-config = false\n…\ncores = 4  # from /etc/nix/nix.conf:3\n…\n\n'
 */
import {
  describeOrigin,
  type ResolvedSetting,
  type SettingOrigin,
  settingValueToJson,
  stringifyJson,
} from '@strata/core';
import { type Configuration, renderValue } from './configuration.js';

/** One line of the text listing: `name = value`, plus the origin comment when asked for. */
export function showSettingLine(setting: ResolvedSetting, origins = true): string {
  const line = `${setting.def.name} = ${renderValue(setting.def, setting.value)}`;
  if (!origins || setting.origin.kind === 'default') return line;
  return `${line}  # from ${describeOrigin(setting.origin)}`;
}

/** The whole text listing (ends with an empty line, as `nix show-config`'s does). */
export function showConfigText(config: Configuration, options: { origins?: boolean } = {}): string {
  const lines = [...config.settings.values()].map((s) =>
    showSettingLine(s, options.origins ?? true),
  );
  return `${lines.join('\n')}\n\n`;
}

/** The JSON entry of one setting. */
export interface SettingJson {
  readonly value: unknown;
  readonly origin: SettingOrigin;
  readonly overridden: boolean;
  readonly defaultValue: unknown;
  readonly documentDefault: boolean;
  readonly description: string;
  readonly aliases: readonly string[];
}

/** The JSON entry of the setting answering to `name`, or undefined. */
export function settingJson(config: Configuration, name: string): SettingJson | undefined {
  const s = config.setting(name);
  if (!s) return undefined;
  return {
    value: settingValueToJson(s.def, s.value),
    origin: s.origin,
    overridden: s.overridden,
    defaultValue: settingValueToJson(s.def, config.defaultValue(s.def.name)),
    documentDefault: s.def.documentDefault !== false,
    description: s.def.description,
    aliases: [...(s.def.aliases ?? [])],
  };
}

/** Every setting as JSON text (one line), keyed by name in sorted order. */
export function showConfigJson(config: Configuration): string {
  const out: Record<string, SettingJson> = {};
  for (const name of config.settings.keys()) out[name] = settingJson(config, name)!;
  return stringifyJson(out);
}
