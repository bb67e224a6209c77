/**
 * From a reference to a `StoreConfig` (spec/config-and-urls.md §2.2, §3.3), without opening
 * anything: `@name` → the configured URL, parse, `auto` → a scheme, scheme → implementation,
 * authority checked by kind, URL parameters applied to the schema (names, aliases, gated
 * settings, then computed defaults), the implementation's feature gate, unknown parameters
 * refused with the valid ones listed, and store URL settings resolved recursively (with
 * `@name` cycles detected and lower-store capabilities checked).
 */
import { strataError } from '../errors.js';
import { isFeatureEnabled, requireExperimentalFeature } from '../settings/experimental.js';
import { NAMED_STORE, parseSettingValue } from '../settings/parse.js';
import { canonicalisePath } from '../settings/paths.js';
import { defaultValue } from '../settings/store-settings.js';
import type { ResolvedSetting, SettingOrigin, SettingValue } from '../settings/types.js';
import { type AutoProbe, selectAutoStore } from './auto.js';
import type { OpenOptions } from './open-context.js';
import { percentDecode } from './percent.js';
import type { StoreImplementation } from './plugin.js';
import {
  makeStoreReference,
  parseStoreReference,
  referenceAuthority,
  referenceScheme,
  type StoreReference,
} from './reference.js';
import { StoreConfig } from './store-config.js';
import { parseUrlLenient, renderAuthority, renderPath } from './url-syntax.js';

/** What resolution needs from the registry. */
export interface ResolveHost {
  /** The implementation for `scheme` and the plugin that registered it. */
  findScheme(scheme: string): { implementation: StoreImplementation; plugin: string } | undefined;
  /** All registered schemes, for the unknown-scheme hint. */
  schemes(): string[];
  readonly autoProbe: AutoProbe;
}

interface Ctx {
  readonly host: ResolveHost;
  readonly options: OpenOptions;
  readonly features: ReadonlySet<string>;
  readonly warn: (m: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly global: Readonly<Record<string, SettingValue>>;
}

/** The enabled features of `options` (explicit, else the `experimental-features` global). */
export function featuresOf(options: OpenOptions): ReadonlySet<string> {
  if (options.features !== undefined) return new Set(options.features);
  const f = options.globals?.get('experimental-features')?.value;
  return new Set(Array.isArray(f) ? (f as string[]) : []);
}

/** Resolves `reference` (text, `@name` or parsed) into a config tree. */
export function resolveStoreConfig(
  host: ResolveHost,
  reference: string | StoreReference,
  options: OpenOptions = {},
): StoreConfig {
  const global: Record<string, SettingValue> = {};
  for (const [name, s] of options.globals ?? []) global[name] = s.value;
  // Computed defaults see the features this open runs with (e.g. `system-features`).
  if (options.features !== undefined) global['experimental-features'] = [...options.features];
  const ctx: Ctx = {
    host,
    options,
    features: featuresOf(options),
    warn: options.warn ?? (() => {}),
    env: options.env ?? process.env,
    global,
  };
  return resolveAt(ctx, reference, []);
}

function resolveAt(
  ctx: Ctx,
  reference: string | StoreReference,
  chain: readonly string[],
): StoreConfig {
  let namedAs: string | undefined;
  let ref: StoreReference;
  let text: string;
  if (typeof reference === 'string' && NAMED_STORE.test(reference)) {
    const name = reference.slice(1);
    if (chain.includes(reference)) {
      throw strataError('STRATA_ERR_STORE_CYCLE', { chain: [...chain, reference].join(' → ') });
    }
    const url = ctx.options.stores?.get(name);
    if (url === undefined) {
      const known = [...(ctx.options.stores?.keys() ?? [])].map((n) => `@${n}`).join(', ');
      throw strataError('STRATA_ERR_STORE_UNKNOWN_NAME', { name, known: known || 'none' });
    }
    namedAs = name;
    chain = [...chain, reference];
    text = url;
    ref = parseRef(ctx, url);
  } else if (typeof reference === 'string') {
    text = reference;
    ref = parseRef(ctx, reference);
  } else {
    ref = reference;
    text = '';
  }
  let scheme = referenceScheme(ref);
  if (scheme === undefined) {
    const auto = selectAutoStore(ref.params, ctx.env, ctx.host.autoProbe);
    if (auto.warning) ctx.warn(auto.warning);
    scheme = auto.scheme;
    ref = makeStoreReference({ kind: 'specified', scheme, authority: '' }, auto.params);
  }
  const found = ctx.host.findScheme(scheme);
  if (found === undefined) {
    throw strataError(
      'STRATA_ERR_STORE_UNKNOWN_SCHEME',
      { scheme },
      { hint: `the registered schemes are: ${ctx.host.schemes().join(', ') || 'none'}` },
    );
  }
  const { implementation: impl, plugin } = found;
  const shown = text === '' ? renderRef(ref) : text;
  const authority = referenceAuthority(ref);
  const auth = checkAuthority(impl, scheme, authority, shown);
  const origin: SettingOrigin = { kind: 'url', url: shown };
  const settings = applyParams(ctx, impl, ref.params, origin, auth.path);
  if (impl.experimentalFeature !== undefined) {
    requireExperimentalFeature(ctx.features, impl.experimentalFeature);
  }
  const consumed = new Set(impl.settings.flatMap((d) => [d.name, ...(d.aliases ?? [])]));
  for (const key of ref.params.keys()) {
    if (!consumed.has(key)) {
      throw strataError(
        'STRATA_ERR_STORE_UNKNOWN_PARAM',
        {
          name: key,
          url: shown,
          store: impl.name,
          valid: impl.settings.map((d) => d.name).join(', '),
        },
        { plugin },
      );
    }
  }
  const lowerStores = new Map<string, StoreConfig>();
  for (const def of impl.settings) {
    if (def.type.kind !== 'store-url') continue;
    const value = settings.get(def.name)!.value as string;
    const lower = resolveAt(ctx, value === '' ? 'auto' : value, chain);
    const demanded = impl.lowerStoreCapabilities?.[def.name] ?? [];
    const offered = new Set(lower.implementation.capabilities);
    for (const cap of demanded) {
      if (!offered.has(cap)) {
        throw strataError('STRATA_ERR_STORE_CAPABILITY_MISSING', {
          lower: lower.namedAs !== undefined ? `@${lower.namedAs}` : lower.renderReference(),
          setting: def.name,
          store: `${impl.name} '${shown}'`,
          capability: cap,
        });
      }
    }
    lowerStores.set(def.name, lower);
  }
  return new StoreConfig({
    implementation: impl,
    plugin,
    scheme,
    authority,
    ...(auth.path === undefined ? {} : { authorityPath: auth.path }),
    ...(auth.url === undefined ? {} : { authorityUrl: auth.url }),
    reference: ref,
    ...(namedAs === undefined ? {} : { namedAs }),
    settings,
    lowerStores,
  });
}

function parseRef(ctx: Ctx, text: string): StoreReference {
  return parseStoreReference(text, {
    ...(ctx.options.cwd === undefined ? {} : { cwd: ctx.options.cwd }),
    warn: ctx.warn,
  });
}

function renderRef(ref: StoreReference): string {
  const v = ref.variant;
  return v.kind === 'specified' ? `${v.scheme}://${v.authority}` : v.kind;
}

/** Checks the authority against the implementation's kind and extracts what it carries. */
function checkAuthority(
  impl: StoreImplementation,
  scheme: string,
  authority: string,
  url: string,
): { path?: string; url?: string } {
  switch (impl.authority) {
    case 'none':
      if (authority !== '') {
        throw strataError('STRATA_ERR_STORE_AUTHORITY_FORBIDDEN', { scheme, authority });
      }
      return {};
    case 'path': {
      if (authority === '') return {};
      const decoded = percentDecode(authority);
      const path = canonicalisePath(decoded);
      if (path === undefined) {
        throw strataError('STRATA_ERR_SETTING_NOT_ABSOLUTE', {
          value: decoded,
          where: ` (the path of store URL '${url}')`,
        });
      }
      return { path };
    }
    case 'url': {
      const parsed = parseUrlLenient(`${scheme}://${authority}`);
      const host = parsed.ok ? parsed.url.authority : undefined;
      if (!parsed.ok || host === undefined || renderAuthority(host).replace(/:\d*$/, '') === '') {
        throw strataError('STRATA_ERR_STORE_AUTHORITY_REQUIRED', { scheme, url });
      }
      const segments = [...parsed.url.segments];
      while (segments.length > 1 && segments[segments.length - 1]!.length === 0) segments.pop();
      return { url: `${scheme}://${renderAuthority(host)}${renderPath(segments)}` };
    }
    case 'any':
      return {};
  }
}

/** Applies URL parameters to a schema (spec §3.3) and computes the remaining defaults. */
function applyParams(
  ctx: Ctx,
  impl: StoreImplementation,
  params: ReadonlyMap<string, string>,
  origin: SettingOrigin,
  authorityPath: string | undefined,
): Map<string, ResolvedSetting> {
  const explicit = new Map<string, SettingValue>();
  for (const def of impl.settings) {
    const alias = (def.aliases ?? []).find((a) => params.has(a));
    if (params.has(def.name) && alias !== undefined) {
      ctx.warn(`setting '${alias}' is set, but it's an alias of '${def.name}' which is also set`);
    }
    const text = params.has(def.name)
      ? params.get(def.name)
      : alias === undefined
        ? undefined
        : params.get(alias);
    if (text === undefined) continue;
    if (
      def.experimentalFeature !== undefined &&
      !isFeatureEnabled(ctx.features, def.experimentalFeature)
    ) {
      ctx.warn(
        `Ignoring setting '${def.name}' because experimental feature '${def.experimentalFeature}' is not enabled`,
      );
      continue;
    }
    explicit.set(
      def.name,
      parseSettingValue(def, text, origin, {
        warn: ctx.warn,
        ...(ctx.options.cwd === undefined ? {} : { cwd: ctx.options.cwd }),
      }),
    );
  }
  const own: Record<string, SettingValue> = {};
  const out = new Map<string, ResolvedSetting>();
  for (const def of impl.settings) {
    let value: SettingValue;
    let overridden = false;
    let from: SettingOrigin = { kind: 'default' };
    if (explicit.has(def.name)) {
      value = explicit.get(def.name);
      overridden = true;
      from = origin;
    } else if (def.name === impl.authoritySetting && authorityPath !== undefined) {
      // The URL path (`local:///r`, `/r`) fills it, but it is not rendered back (as in Nix).
      value = authorityPath;
      from = origin;
    } else {
      value = defaultValue(def, { own, global: ctx.global, env: ctx.env });
    }
    own[def.name] = value;
    out.set(def.name, { def, value, origin: from, overridden });
  }
  return out;
}
