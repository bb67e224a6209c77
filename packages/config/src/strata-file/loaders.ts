/**
 * Loaders for the Strata config file's formats, handed to cosmiconfig. They only read: YAML and
 * JSON are parsed in memory; JavaScript is `import()`ed; TypeScript is `import()`ed when a
 * TypeScript loader is active (tsx, a Node with type stripping) and otherwise transpiled in
 * memory and imported from a `data:` URL — never written next to the config file, as
 * cosmiconfig's own TypeScript loader does.
 *
 * A JavaScript or TypeScript config exports the configuration object as its default export, or
 * a function (possibly async) returning it.
 *
 * @example
 *   await loadYaml('/p/.stratarc.yaml', 'cores: 4\n')   // { cores: 4 }
 */
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { strataError } from '@strata/core';

/** A cosmiconfig loader: file path and its text in, configuration out. */
export type ConfigLoader = (file: string, content: string) => Promise<unknown>;

function invalid(file: string, reason: string, cause?: unknown, hint?: string) {
  return strataError(
    'STRATA_ERR_CONFIG_FILE_INVALID',
    { file, reason },
    { cause, ...(hint === undefined ? {} : { hint }) },
  );
}

/** `line L, column C` (1-based) of character `offset` in `text`. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** YAML (also extension-less `.stratarc`); 64-bit integers stay exact (as bigint). */
export const loadYaml: ConfigLoader = async (file, content) => {
  // Imported here: the YAML parser is ~70 modules, and most runs have no YAML config file.
  const { parse: parseYaml } = await import('yaml');
  try {
    return parseYaml(content, { intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    // One line for the error (it ends with the position); the excerpt the parser draws under
    // it becomes the hint.
    const [first = '', ...excerpt] = (e as Error).message.trim().split('\n');
    const shown = excerpt
      .join('\n')
      .replace(/\n\s*\n/g, '\n')
      .replace(/^\n+|\s+$/g, '');
    throw invalid(file, first.replace(/:$/, ''), e, shown === '' ? undefined : shown);
  }
};

/** JSON (also `package.json`, whose `strata` property cosmiconfig then picks). */
export const loadJson: ConfigLoader = async (file, content) => {
  try {
    return JSON.parse(content) as unknown;
  } catch (e) {
    // V8 says where by offset only ("… at position 14"): add the line and column.
    // Some messages quote the text itself, newlines and all: kept to one line.
    const message = (e as Error).message.replaceAll('\n', '\\n');
    const at = /at position (\d+)/.exec(message);
    const where = at ? ` (${lineAndColumn(content, Number(at[1]))})` : '';
    throw invalid(file, `${message}${where}`, e);
  }
};

// A changed file must be re-imported; ESM caches by URL, so the URL carries the file's version.
function versionedUrl(file: string): string {
  const st = statSync(file);
  return `${pathToFileURL(file).href}?mtime=${st.mtimeMs}&size=${st.size}`;
}

async function exported(file: string, mod: { default?: unknown }): Promise<unknown> {
  const value = 'default' in mod ? mod.default : mod;
  try {
    return typeof value === 'function' ? await (value as () => unknown)() : value;
  } catch (e) {
    throw invalid(file, `its exported function failed: ${(e as Error).message}`, e);
  }
}

/** JavaScript (`.js`, `.mjs`, `.cjs`). */
export const loadJs: ConfigLoader = async (file) => {
  let mod: { default?: unknown };
  try {
    mod = (await import(versionedUrl(file))) as { default?: unknown };
  } catch (e) {
    throw invalid(file, (e as Error).message, e);
  }
  return exported(file, mod);
};

interface TypeScriptApi {
  transpileModule(
    input: string,
    options: { compilerOptions: Record<string, unknown>; fileName?: string },
  ): { outputText: string };
  ModuleKind: { ES2022: number };
  ScriptTarget: { ES2022: number };
}

/** Transpiles TypeScript in memory and imports it from a `data:` URL (no file is written). */
export async function importTranspiledTypeScript(file: string, content: string): Promise<unknown> {
  let ts: TypeScriptApi;
  try {
    const specifier = 'typescript';
    ts = ((await import(specifier)) as { default: TypeScriptApi }).default;
  } catch (e) {
    throw invalid(
      file,
      'a TypeScript config needs the `typescript` package, or Node run with a TypeScript loader (tsx); use strata.config.js or .yaml otherwise',
      e,
    );
  }
  const js = ts.transpileModule(content, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  let mod: { default?: unknown };
  try {
    const url = `data:text/javascript;base64,${Buffer.from(js).toString('base64')}`;
    mod = (await import(url)) as { default?: unknown };
  } catch (e) {
    throw invalid(
      file,
      `${(e as Error).message} (a TypeScript config loaded without a TypeScript loader cannot import relative or package modules)`,
      e,
    );
  }
  return exported(file, mod);
}

/** TypeScript (`.ts`). */
export const loadTs: ConfigLoader = async (file, content) => {
  let mod: { default?: unknown };
  try {
    mod = (await import(versionedUrl(file))) as { default?: unknown };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      return importTranspiledTypeScript(file, content);
    }
    throw invalid(file, (e as Error).message, e);
  }
  return exported(file, mod);
};

/** The loaders by extension, in cosmiconfig's shape (`noExt` for `.stratarc`). */
export const STRATA_LOADERS: Readonly<Record<string, ConfigLoader>> = {
  '.json': loadJson,
  '.yaml': loadYaml,
  '.yml': loadYaml,
  noExt: loadYaml,
  '.js': loadJs,
  '.mjs': loadJs,
  '.cjs': loadJs,
  '.ts': loadTs,
};
