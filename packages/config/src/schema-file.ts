/**
 * Builds the text of `schema/strata.schema.json` from Nix's global settings and the store
 * schemas of the workspace's plugins (`plugins/<name>/src/index.ts`, default export = the
 * plugin manifest). Development tooling, run from source (under tsx):
 * `node --conditions=source --import tsx packages/config/scripts/generate-schema.ts` writes
 * the file; `schema-file.test.ts` fails when the file is out of date.
 *
 * @example
 *   const text = await schemaFileText(WORKSPACE_ROOT);  // '{\n  "$schema": …'
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SettingsSchema } from '@strata/core';
import { GLOBAL_SETTINGS } from './global-settings.js';
import { type StoreSchemaInput, strataConfigJsonSchema } from './json-schema.js';

/** The repository root, seen from this file. */
export const WORKSPACE_ROOT = new URL('../../../', import.meta.url).pathname;

/** Where the generated schema lives. */
export const SCHEMA_FILE = new URL('../schema/strata.schema.json', import.meta.url).pathname;

interface ManifestLike {
  readonly stores?: ReadonlyArray<{
    readonly name: string;
    readonly schemes: readonly string[];
    readonly settings: SettingsSchema;
  }>;
}

/** The store implementations of every plugin under `<root>/plugins`, sorted by first scheme. */
export async function workspaceStoreSchemas(root: string): Promise<StoreSchemaInput[]> {
  const dir = join(root, 'plugins');
  if (!existsSync(dir)) return [];
  const out: StoreSchemaInput[] = [];
  for (const name of readdirSync(dir).sort()) {
    const entry = join(dir, name, 'src', 'index.ts');
    if (!existsSync(entry)) continue;
    const mod = (await import(pathToFileURL(entry).href)) as { default?: ManifestLike };
    for (const store of mod.default?.stores ?? []) {
      out.push({ schemes: store.schemes, settings: store.settings, description: store.name });
    }
  }
  return out.sort((a, b) => (a.schemes[0]! < b.schemes[0]! ? -1 : 1));
}

/** The schema file's text: 2-space JSON with a final newline. */
export async function schemaFileText(root: string = WORKSPACE_ROOT): Promise<string> {
  const schema = strataConfigJsonSchema({
    globalSettings: GLOBAL_SETTINGS,
    stores: await workspaceStoreSchemas(root),
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
