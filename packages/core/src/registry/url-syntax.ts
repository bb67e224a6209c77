/**
 * The RFC 3986 URL parser behind store references (spec/config-and-urls.md §1.2.1): lenient
 * only where Nix is (raw space and `"` in the query and fragment), strict everywhere else, and
 * returning a reason instead of throwing so the reference parser can fall back to shorthands.
 *
 * @example
 *   parseUrlLenient('ssh://me@[::1]:22?x=1')
 *   // { ok: true, url: { scheme: 'ssh', authority: { user: 'me', host: { kind: 'ipv6', … },
 *   //   port: '22' }, segments: [''], query: 'x=1' } }
 */
import { isIPv6 } from 'node:net';
import { badPercentEscape, percentDecode, percentDecodeBytes, percentEncode } from './percent.js';

/** The host part of an authority, decoded. */
export type UrlHost =
  | { readonly kind: 'reg-name'; readonly name: string }
  | { readonly kind: 'ipv4'; readonly address: string }
  | { readonly kind: 'ipv6'; readonly address: string; readonly zone?: string }
  | { readonly kind: 'ipvfuture'; readonly text: string };

/** `[user[:password]@]host[:port]`, decoded. */
export interface UrlAuthority {
  readonly user?: string;
  readonly password?: string;
  readonly host: UrlHost;
  /** Digits; absent when no port (or an empty one) was written. */
  readonly port?: string;
}

/** A parsed URL. Path segments are decoded bytes, so `%2F` stays inside its segment. */
export interface ParsedUrl {
  readonly scheme: string;
  readonly authority?: UrlAuthority;
  readonly segments: readonly Uint8Array[];
  /** The raw (still encoded) query, absent when there is no `?`. */
  readonly query?: string;
  readonly fragment?: string;
}

export type UrlParseResult =
  | { readonly ok: true; readonly url: ParsedUrl }
  | { readonly ok: false; readonly reason: string };

const UNRESERVED = 'A-Za-z0-9\\-._~';
const SUB_DELIMS = "!$&'()*+,;=";
const PCHAR = new RegExp(`^[${UNRESERVED}${escapeClass(SUB_DELIMS)}:@%]*$`);
const QUERY = new RegExp(`^[${UNRESERVED}${escapeClass(SUB_DELIMS)}:@%/?]*$`);
const USERINFO = new RegExp(`^[${UNRESERVED}${escapeClass(SUB_DELIMS)}:%]*$`);
const REG_NAME = new RegExp(`^[${UNRESERVED}${escapeClass(SUB_DELIMS)}%]*$`);
const ZONE_ID = new RegExp(`^[${UNRESERVED}%]+$`);
const IPV_FUTURE = new RegExp(`^[vV][0-9A-Fa-f]+\\.[${UNRESERVED}${escapeClass(SUB_DELIMS)}:]+$`);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

/** The first character of `text` that `allowed` rejects, for messages. */
function firstBadChar(text: string, allowed: RegExp): string {
  for (const c of text) if (!allowed.test(c)) return c;
  return text;
}

function checkComponent(text: string, allowed: RegExp, where: string): string | undefined {
  if (!allowed.test(text)) {
    return `character '${firstBadChar(text, allowed)}' is not allowed in the ${where}`;
  }
  const bad = badPercentEscape(text);
  return bad === undefined ? undefined : `${bad} in the ${where}`;
}

/** Why a raw (already lenient-fixed) query is not valid, or undefined when it is. */
export function checkQuery(query: string): string | undefined {
  return checkComponent(query, QUERY, 'query');
}

/** Percent-encodes raw space and `"` in the query, and also `^` in the fragment (Nix's leniency). */
export function applyQueryLeniency(text: string): string {
  const q = text.indexOf('?');
  if (q === -1) return text;
  const h = text.indexOf('#');
  const fix = (s: string, extra: boolean): string =>
    s.replace(extra ? /[ "^]/g : /[ "]/g, (c) => percentEncode(c));
  if (h === -1) return text.slice(0, q) + fix(text.slice(q), false);
  if (h < q) return text.slice(0, h) + fix(text.slice(h), true);
  return text.slice(0, q) + fix(text.slice(q, h), false) + fix(text.slice(h), true);
}

function parseHost(text: string): { host: UrlHost; rest: string } | string {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return `unterminated IP literal '${text}' in the authority`;
    const literal = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (IPV_FUTURE.test(literal)) return { host: { kind: 'ipvfuture', text: literal }, rest };
    const pct = literal.indexOf('%');
    const address = pct === -1 ? literal : literal.slice(0, pct);
    if (!isIPv6(address)) return `invalid IPv6 address '${address}' in the authority`;
    if (pct === -1) return { host: { kind: 'ipv6', address }, rest };
    const zone = literal.slice(pct);
    if (
      !zone.startsWith('%25') ||
      !ZONE_ID.test(zone.slice(3)) ||
      badPercentEscape(zone.slice(3))
    ) {
      return `invalid IPv6 zone '${zone}' in the authority (write it as %25<zone>)`;
    }
    return { host: { kind: 'ipv6', address, zone: percentDecode(zone.slice(3)) }, rest };
  }
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  const rest = colon === -1 ? '' : text.slice(colon);
  const bad = checkComponent(name, REG_NAME, 'host name');
  if (bad) return bad;
  if (IPV4.test(name)) return { host: { kind: 'ipv4', address: name }, rest };
  return { host: { kind: 'reg-name', name: percentDecode(name) }, rest };
}

function parseAuthority(text: string): UrlAuthority | string {
  const at = text.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  if (at !== -1) {
    const userinfo = text.slice(0, at);
    const bad = checkComponent(userinfo, USERINFO, 'user information');
    if (bad) return bad;
    const colon = userinfo.indexOf(':');
    user = percentDecode(colon === -1 ? userinfo : userinfo.slice(0, colon));
    if (colon !== -1) password = percentDecode(userinfo.slice(colon + 1));
  }
  const parsed = parseHost(text.slice(at + 1));
  if (typeof parsed === 'string') return parsed;
  let port: string | undefined;
  if (parsed.rest !== '') {
    const digits = parsed.rest.slice(1);
    if (!parsed.rest.startsWith(':') || !/^\d*$/.test(digits)) {
      return `invalid port '${parsed.rest.slice(1)}' in the authority`;
    }
    if (digits !== '') {
      const n = Number(digits);
      if (n === 0 || n > 65535) return `port '${digits}' is invalid`;
      port = digits;
    }
  }
  return {
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    host: parsed.host,
    ...(port === undefined ? {} : { port }),
  };
}

/** Parses `text` as an absolute URL, or says why it is not one. */
export function parseUrlLenient(text: string): UrlParseResult {
  const fixed = applyQueryLeniency(text);
  const colon = fixed.indexOf(':');
  if (colon === 0) return { ok: false, reason: 'the scheme is empty' };
  const scheme = colon === -1 ? '' : fixed.slice(0, colon);
  if (colon === -1 || !SCHEME.test(scheme)) {
    return { ok: false, reason: 'it has no URL scheme' };
  }
  let rest = fixed.slice(colon + 1);
  let fragment: string | undefined;
  let query: string | undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    const bad = checkComponent(fragment, QUERY, 'fragment');
    if (bad) return { ok: false, reason: bad };
  }
  const q = rest.indexOf('?');
  if (q !== -1) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
    const bad = checkComponent(query, QUERY, 'query');
    if (bad) return { ok: false, reason: bad };
  }
  let authority: UrlAuthority | undefined;
  let path = rest;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authText = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    path = slash === -1 ? '' : rest.slice(slash);
    const parsed = parseAuthority(authText);
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    authority = parsed;
  }
  const bad = checkComponent(path.replaceAll('/', ''), PCHAR, 'path');
  if (bad) return { ok: false, reason: bad };
  const transport = scheme.includes('+') ? scheme.slice(scheme.indexOf('+') + 1) : scheme;
  if (transport === 'file') {
    const host = authority ? renderHost(authority.host) : '';
    if (host !== '') {
      return { ok: false, reason: `file:// URL '${text}' has unexpected authority '${host}'` };
    }
    if (path === '') path = '/';
  }
  return {
    ok: true,
    url: {
      scheme,
      ...(authority === undefined ? {} : { authority }),
      segments: path.split('/').map((s) => percentDecodeBytes(s)),
      ...(query === undefined ? {} : { query }),
      ...(fragment === undefined ? {} : { fragment }),
    },
  };
}

/** Renders a host in canonical encoded form (IPv6 in brackets, zone as `%25zone`). */
export function renderHost(host: UrlHost): string {
  switch (host.kind) {
    case 'reg-name':
      return percentEncode(host.name);
    case 'ipv4':
      return host.address;
    case 'ipv6':
      return `[${percentEncode(host.zone === undefined ? host.address : `${host.address}%${host.zone}`, ':')}]`;
    case 'ipvfuture':
      return `[${percentEncode(host.text, ':')}]`;
  }
}

/** Renders `[user[:password]@]host[:port]`. */
export function renderAuthority(a: UrlAuthority): string {
  const userinfo =
    a.user === undefined
      ? ''
      : `${percentEncode(a.user)}${a.password === undefined ? '' : `:${percentEncode(a.password)}`}@`;
  return `${userinfo}${renderHost(a.host)}${a.port === undefined ? '' : `:${a.port}`}`;
}

/** Joins decoded path segments, encoding each (keeping `:` and `@`). */
export function renderPath(segments: readonly Uint8Array[]): string {
  return segments.map((s) => percentEncode(s, ':@')).join('/');
}

/** What a store reference keeps as its "authority": encoded authority and path together. */
export function renderAuthorityAndPath(url: ParsedUrl): string {
  return (url.authority ? renderAuthority(url.authority) : '') + renderPath(url.segments);
}
