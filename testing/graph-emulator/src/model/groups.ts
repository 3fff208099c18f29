/**
 * Creating and updating groups with Graph's rules: security groups (`mailEnabled: false`,
 * `securityEnabled: true`, no `Unified`) and Microsoft 365 groups (`groupTypes: ["Unified"]`,
 * `mailEnabled: true`) can be created; mail-enabled security and distribution groups cannot.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, invalidValue } from '../graph/errors.js';
import { checkBody } from './body.js';
import type { Directory, DirectoryObject } from './directory.js';
import { GROUP } from './schema.js';

/** What group rules need to know about the tenant. */
export interface GroupContext {
  readonly directory: Directory;
  /** The tenant's initial (default) domain, for Microsoft 365 group mail addresses. */
  readonly defaultDomain: string;
  readonly now: () => number;
}

/** Most `@odata.bind` references (members plus owners) one request may carry. */
export const MAX_BINDS = 20;

const NICKNAME = /^[\x21-\x7e]{1,64}$/;
const NICKNAME_FORBIDDEN = /[@()\\[\]";:<>,]/;

function checkNickname(nickname: unknown): void {
  if (typeof nickname !== 'string' || !NICKNAME.test(nickname) || NICKNAME_FORBIDDEN.test(nickname)) {
    throw invalidValue('mailNickname', 'Group');
  }
}

function checkTypes(data: Record<string, unknown>, creating: boolean): void {
  const types = (data.groupTypes as string[] | undefined) ?? [];
  for (const type of types) if (type !== 'Unified' && type !== 'DynamicMembership') throw invalidValue('groupTypes', 'Group');
  const unified = types.includes('Unified');
  if (unified && data.mailEnabled !== true) throw invalidValue('mailEnabled', 'Group');
  if (!unified && (data.mailEnabled === true || data.securityEnabled !== true)) {
    if (creating) {
      throw badRequest(
        'Only security groups (mailEnabled false, securityEnabled true) and Microsoft 365 groups (groupTypes Unified) can be created through Microsoft Graph.',
      );
    }
    throw invalidValue(data.mailEnabled === true ? 'mailEnabled' : 'securityEnabled', 'Group');
  }
  if (types.includes('DynamicMembership')) {
    if (typeof data.membershipRule !== 'string' || data.membershipRule === '') throw invalidValue('membershipRule', 'Group');
    if (data.membershipRuleProcessingState !== 'On' && data.membershipRuleProcessingState !== 'Paused') {
      throw invalidValue('membershipRuleProcessingState', 'Group');
    }
  } else if (data.membershipRule !== undefined) {
    throw invalidValue('membershipRule', 'Group');
  }
  if (data.isAssignableToRole === true && (data.securityEnabled !== true || types.includes('DynamicMembership'))) {
    throw invalidValue('isAssignableToRole', 'Group');
  }
  const visibility = data.visibility;
  if (visibility !== undefined && visibility !== 'Public' && visibility !== 'Private' && visibility !== 'HiddenMembership') {
    throw invalidValue('visibility', 'Group');
  }
  if (visibility === 'HiddenMembership' && !unified) throw invalidValue('visibility', 'Group');
  if (typeof data.displayName !== 'string' || data.displayName === '' || data.displayName.length > 256) {
    throw invalidValue('displayName', 'Group');
  }
}

function stampMail(ctx: GroupContext, data: Record<string, unknown>, selfId: string | undefined): void {
  const unified = ((data.groupTypes as string[] | undefined) ?? []).includes('Unified');
  if (!unified) return;
  const mail = `${String(data.mailNickname)}@${ctx.defaultDomain}`;
  const owner = ctx.directory.proxyOwner(mail);
  if (owner !== undefined && owner !== selfId) throw conflict('proxyAddresses');
  data.mail = mail;
  data.proxyAddresses = [`SMTP:${mail}`];
}

/** Creates a group from a POST /groups body; returns it with the `x@odata.bind` lists to apply. */
export function createGroup(ctx: GroupContext, body: unknown): { group: DirectoryObject; binds: Map<string, string[]> } {
  const { values, binds } = checkBody(GROUP, body, 'create');
  for (const name of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
    if (values.get(name) === undefined || values.get(name) === null) throw invalidValue(name, 'Group');
  }
  checkNickname(values.get('mailNickname'));
  const data: Record<string, unknown> = Object.create(null);
  for (const [name, value] of values) if (value !== null) data[name] = value;
  data.groupTypes = data.groupTypes ?? [];
  data.proxyAddresses = [];
  data.resourceBehaviorOptions = data.resourceBehaviorOptions ?? [];
  data.resourceProvisioningOptions = data.resourceProvisioningOptions ?? [];
  data.isAssignableToRole = data.isAssignableToRole ?? null;
  checkTypes(data, true);
  stampMail(ctx, data, undefined);
  const stamp = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  data.createdDateTime = stamp;
  data.renewedDateTime = stamp;
  data.securityIdentifier = `S-1-12-1-${Math.floor(Math.random() * 2 ** 31)}-${Math.floor(Math.random() * 2 ** 31)}`;
  if (data.isAssignableToRole === null) delete data.isAssignableToRole;
  const total = [...binds.values()].reduce((sum, list) => sum + list.length, 0);
  if (total > MAX_BINDS) throw tooManyBinds();
  for (const key of binds.keys())
    if (key !== 'members' && key !== 'owners') throw badRequest(`Property '${key}@odata.bind' is not supported on a group.`);
  return { group: ctx.directory.insert('group', randomUUID(), data), binds };
}

/** The 400 for more than {@link MAX_BINDS} references in one request. */
export function tooManyBinds(): Error {
  return badRequest(
    `The request adds more than ${MAX_BINDS} reference-property objects. Add at most ${MAX_BINDS} members or owners per request.`,
  );
}

/** Applies a PATCH /groups/{id} body; returns the `x@odata.bind` lists to apply. */
export function updateGroup(ctx: GroupContext, group: DirectoryObject, body: unknown): Map<string, string[]> {
  const { values, binds } = checkBody(GROUP, body, 'update');
  for (const key of binds.keys())
    if (key !== 'members' && key !== 'owners') throw badRequest(`Property '${key}@odata.bind' is not supported on a group.`);
  const total = [...binds.values()].reduce((sum, list) => sum + list.length, 0);
  if (total > MAX_BINDS) throw tooManyBinds();
  if (values.has('mailNickname')) checkNickname(values.get('mailNickname'));
  const next: Record<string, unknown> = { ...group.data };
  for (const [name, value] of values) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  checkTypes(next, false);
  stampMail(ctx, next, group.id);
  if (next.mail !== group.data.mail) {
    values.set('mail', next.mail);
    values.set('proxyAddresses', next.proxyAddresses);
  }
  ctx.directory.update(group, values);
  return binds;
}
