/**
 * Every JSON answer of the HTTP suite held against the strict RFC 7643 model of
 * `@scimgw/core/testkit`: discovery documents, resources (alone or in a ListResponse) and errors.
 */
import { SchemaRegistry, URN } from '@scimgw/core';
import {
  resourceProblems,
  resourceTypeProblems,
  schemaResourceProblems,
  serviceProviderConfigProblems,
} from '@scimgw/core/testkit';

const registry = new SchemaRegistry();
type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function one(r: Json, where: string): string[] {
  const schemas: unknown[] = Array.isArray(r.schemas) ? r.schemas : [];
  const tag = (ps: string[]) => ps.map((p) => `${where}: ${p}`);
  if (schemas.includes(URN.Schema)) return tag(schemaResourceProblems(r, r.id));
  if (schemas.includes(URN.ResourceType)) return tag(resourceTypeProblems(r, r.id));
  if (schemas.includes(URN.ServiceProviderConfig)) return tag(serviceProviderConfigProblems(r));
  const type = r.meta?.resourceType;
  if (type === 'User' || type === 'Group') return tag(resourceProblems(registry, type, r));
  return [];
}

/** Problems of one answer body (`where` names the request in the messages). */
export function strictProblems(body: unknown, where: string): string[] {
  if (!isObj(body)) return [];
  const schemas: unknown[] = Array.isArray(body.schemas) ? body.schemas : [];
  if (schemas.includes(URN.ListResponse)) {
    const out: string[] = [];
    for (const r of Array.isArray(body.Resources) ? body.Resources : []) if (isObj(r)) out.push(...one(r, where));
    return out;
  }
  if (schemas.includes(URN.Error)) {
    const extra = Object.keys(body).filter((k) => !['schemas', 'status', 'scimType', 'detail'].includes(k));
    const out = extra.map((k) => `${where}: error member ${k} is not RFC 7644 §3.12`);
    if (typeof body.status !== 'string') out.push(`${where}: error status must be a string`);
    return out;
  }
  return one(body, where);
}
