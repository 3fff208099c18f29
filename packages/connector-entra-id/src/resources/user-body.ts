/**
 * Graph request bodies for users: a create body with Graph's required properties filled in,
 * the `userPrincipalName` domain rule, and PATCH bodies from mapped changes.
 */
import { errors, type ScimResource } from '@scimgw/core';
import type { EndpointChanges, Mapper } from '@scimgw/mapper';
import type { EntraIdConfig } from '../config.js';
import { RELATION_PREFIX } from '../mapping.js';
import { nicknameFrom, propertiesOnly, randomPassword, setPath } from './common.js';

/** The `userPrincipalName` form of a userName (the domain added when configured and missing). */
export function upnToGraph(value: unknown, domain: string | undefined): unknown {
  if (typeof value !== 'string' || !domain || value.includes('@')) return value;
  return `${value}@${domain}`;
}

/** The userName form of a `userPrincipalName` (the configured domain removed). */
export function upnFromGraph(value: unknown, domain: string | undefined): unknown {
  if (typeof value !== 'string' || !domain) return value;
  const suffix = `@${domain.toLowerCase()}`;
  return value.toLowerCase().endsWith(suffix) ? value.slice(0, value.length - suffix.length) : value;
}

/** Graph collections of strings in the user entity (PATCH replaces them whole). */
export const USER_COLLECTIONS = new Set(['otherMails', 'businessPhones', 'imAddresses', 'proxyAddresses']);

/** Properties a user must keep: Graph refuses to clear them. */
const PROTECTED = new Set(['userPrincipalName', 'accountEnabled', 'displayName', 'mailNickname', 'passwordProfile']);

function passwordProfile(password: unknown, config: EntraIdConfig): Record<string, unknown> {
  return { password, forceChangePasswordNextSignIn: config.users.forceChangePasswordNextSignIn };
}

function displayNameOf(resource: ScimResource, upn: unknown): string {
  const name = (resource.name ?? {}) as Record<string, unknown>;
  if (typeof name.formatted === 'string' && name.formatted.trim()) return name.formatted.trim();
  const parts = [name.givenName, name.familyName].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (parts.length) return parts.join(' ');
  return String(upn ?? '').split('@')[0] || 'User';
}

/** The POST /users body for a SCIM user. */
export function createBody(
  mapper: Mapper,
  resource: ScimResource,
  config: EntraIdConfig,
  domain: string | undefined,
): Record<string, unknown> {
  const body = propertiesOnly(mapper.toEndpoint(resource));
  if (body.userPrincipalName !== undefined) body.userPrincipalName = upnToGraph(body.userPrincipalName, domain);
  for (const [k, v] of Object.entries(config.users.createDefaults)) if (body[k] === undefined) body[k] = v;
  if (body.accountEnabled === undefined) body.accountEnabled = config.users.accountEnabledDefault;
  if (body.displayName === undefined) body.displayName = displayNameOf(resource, body.userPrincipalName);
  if (body.mailNickname === undefined) body.mailNickname = nicknameFrom(String(body.userPrincipalName ?? ''));
  const profile = body.passwordProfile as Record<string, unknown> | undefined;
  if (profile?.password !== undefined) body.passwordProfile = passwordProfile(profile.password, config);
  else if (config.users.generatePassword) body.passwordProfile = passwordProfile(randomPassword(), config);
  return body;
}

/**
 * The PATCH /users body for a PUT: every writable mapped property, the absent ones cleared
 * (collections to `[]`), except those Graph requires.
 */
export function replaceBody(
  mapper: Mapper,
  resource: ScimResource,
  config: EntraIdConfig,
  domain: string | undefined,
): Record<string, unknown> {
  const body = propertiesOnly(mapper.toEndpoint(resource));
  if (body.userPrincipalName !== undefined) body.userPrincipalName = upnToGraph(body.userPrincipalName, domain);
  for (const a of mapper.attributes) {
    if (a.readOnly || a.targets.every((t) => t.writeOnly) || a.endpoint.startsWith(RELATION_PREFIX)) continue;
    const top = a.endpoint.split('.')[0] as string;
    if (PROTECTED.has(top) || a.endpoint === 'id') continue;
    if (mapper.getEndpointValue(body, a.endpoint) !== undefined) continue;
    setPath(body, a.endpoint, USER_COLLECTIONS.has(a.endpoint) ? [] : null);
  }
  const profile = body.passwordProfile as Record<string, unknown> | undefined;
  if (profile?.password !== undefined) body.passwordProfile = passwordProfile(profile.password, config);
  return body;
}

/**
 * The PATCH /users body for mapped changes. Adds and removes on collections need the current
 * values (`current`, read by the caller for {@link collectionsTouched}); nested objects are sent
 * whole, merged over `current`.
 */
export function patchBody(
  changes: EndpointChanges,
  current: Record<string, unknown>,
  config: EntraIdConfig,
  domain: string | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const nested = new Map<string, Record<string, unknown>>();
  const put = (key: string, value: unknown) => {
    const [top, ...rest] = key.split('.');
    if (rest.length === 0) {
      body[top as string] = value;
      return;
    }
    if (top === 'passwordProfile') {
      if (rest.join('.') === 'password' && value !== null) body.passwordProfile = passwordProfile(value, config);
      return;
    }
    let obj = nested.get(top as string);
    if (!obj) {
      const base = current[top as string];
      obj = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
      nested.set(top as string, obj);
    }
    setPath(obj, rest.join('.'), value);
  };
  for (const key of changes.clear) {
    if (PROTECTED.has(key)) throw new errors.InvalidValueError(`Microsoft Graph does not allow clearing ${key}`);
    put(key, USER_COLLECTIONS.has(key) ? [] : null);
  }
  for (const [key, value] of Object.entries(changes.set))
    put(key, key === 'userPrincipalName' ? upnToGraph(value, domain) : value);
  for (const key of new Set([...Object.keys(changes.add), ...Object.keys(changes.remove)])) {
    const list = Array.isArray(body[key])
      ? (body[key] as unknown[])
      : Array.isArray(current[key])
        ? [...(current[key] as unknown[])]
        : [];
    const lower = (v: unknown) => String(v).toLowerCase();
    const drop = new Set((changes.remove[key] ?? []).map(lower));
    const kept = list.filter((v) => !drop.has(lower(v)));
    for (const v of changes.add[key] ?? []) if (!kept.some((k) => lower(k) === lower(v))) kept.push(v);
    if (USER_COLLECTIONS.has(key) || Array.isArray(current[key])) put(key, kept);
    else if ((changes.remove[key] ?? []).some((v) => lower(v) === lower(current[key]))) put(key, null);
  }
  for (const [top, obj] of nested) body[top] = obj;
  return body;
}

/** Top-level properties whose current value {@link patchBody} needs. */
export function collectionsTouched(changes: EndpointChanges): string[] {
  const out = new Set<string>();
  for (const key of [...Object.keys(changes.add), ...Object.keys(changes.remove)]) out.add(key.split('.')[0] as string);
  for (const key of [...changes.clear, ...Object.keys(changes.set)]) {
    const [top, ...rest] = key.split('.');
    if (rest.length && top !== 'passwordProfile') out.add(top as string);
  }
  return [...out];
}
