/**
 * Creating and updating users with the rules Graph documents: required properties on create,
 * a userPrincipalName in a verified domain and unique in the tenant, a password that meets
 * the complexity policy, write-only passwordProfile, read-only proxyAddresses.
 */
import { randomUUID } from 'node:crypto';
import { type GraphError, badRequest, conflict, echo, invalidValue } from '../graph/errors.js';
import { checkBody } from './body.js';
import type { Directory, UserObject } from './directory.js';
import { USER } from './schema.js';

/** What user rules need to know about the tenant. */
export interface UserContext {
  readonly directory: Directory;
  /** Verified domain names, lower-case. */
  readonly domains: ReadonlySet<string>;
  readonly now: () => number;
}

const MAIL_NICKNAME_FORBIDDEN = /[@()\\[\]";:<>,\s]/;
const MAX_LENGTH: Record<string, number> = {
  displayName: 256,
  givenName: 64,
  surname: 64,
  jobTitle: 128,
  department: 64,
  companyName: 64,
  city: 128,
  country: 128,
  state: 128,
  streetAddress: 1024,
  postalCode: 40,
  officeLocation: 128,
  mobilePhone: 64,
  employeeId: 16,
  employeeType: 64,
  mailNickname: 64,
  userPrincipalName: 113,
  onPremisesImmutableId: 256,
};

/** Graph's complexity rule: 8–256 characters with three of lower, upper, digit, symbol. */
export function passwordMeetsPolicy(password: string): boolean {
  if (password.length < 8 || password.length > 256) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}

function required(name: string): GraphError {
  return badRequest('Property value is required but is empty or missing.', [{ code: 'PropertyRequired', target: name }]);
}

function checkStrings(values: Map<string, unknown>): void {
  for (const [name, value] of values) {
    const max = MAX_LENGTH[name];
    if (max !== undefined && typeof value === 'string' && value.length > max) throw invalidValue(name, 'User');
  }
}

function checkUpn(ctx: UserContext, upn: string, selfId: string | undefined): void {
  const at = upn.lastIndexOf('@');
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1).toLowerCase();
  if (at <= 0 || local.length > 64 || /[\s"\\()<>,;:[\]]/.test(local) || local.startsWith('.') || local.endsWith('.')) {
    throw invalidValue('userPrincipalName', 'User');
  }
  if (!ctx.domains.has(domain)) {
    throw badRequest(
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
      [{ code: 'InvalidValue', target: 'userPrincipalName' }],
    );
  }
  const owner = ctx.directory.upnOwner(upn);
  if (owner !== undefined && owner !== selfId) throw conflict('userPrincipalName');
}

function checkCommon(ctx: UserContext, values: Map<string, unknown>, selfId: string | undefined, policies: string): void {
  checkStrings(values);
  const upn = values.get('userPrincipalName');
  if (typeof upn === 'string') checkUpn(ctx, upn, selfId);
  const nickname = values.get('mailNickname');
  if (
    typeof nickname === 'string' &&
    (nickname === '' || MAIL_NICKNAME_FORBIDDEN.test(nickname) || /[^\x20-\x7e]/.test(nickname))
  ) {
    throw invalidValue('mailNickname', 'User');
  }
  const usage = values.get('usageLocation');
  if (typeof usage === 'string') {
    if (!/^[A-Za-z]{2}$/.test(usage)) throw invalidValue('usageLocation', 'User');
    values.set('usageLocation', usage.toUpperCase());
  }
  const phones = values.get('businessPhones');
  if (Array.isArray(phones) && phones.length > 1) throw invalidValue('businessPhones', 'User');
  const immutableId = values.get('onPremisesImmutableId');
  if (typeof immutableId === 'string') {
    if (/[$_]/.test(immutableId) || immutableId === '') throw invalidValue('onPremisesImmutableId', 'User');
    const owner = ctx.directory.immutableIdOwner(immutableId);
    if (owner !== undefined && owner !== selfId) throw conflict('onPremisesImmutableId');
  }
  const mail = values.get('mail');
  if (typeof mail === 'string') {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(mail)) throw invalidValue('mail', 'User');
    const owner = ctx.directory.proxyOwner(mail);
    if (owner !== undefined && owner !== selfId) throw conflict('proxyAddresses');
  }
  const others = values.get('otherMails');
  if (Array.isArray(others) && others.some((m) => typeof m !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(m))) {
    throw invalidValue('otherMails', 'User');
  }
  const profile = values.get('passwordProfile') as Record<string, unknown> | null | undefined;
  if (profile === null) throw invalidValue('passwordProfile', 'User');
  const password = profile?.password;
  if (typeof password === 'string' && !/DisableStrongPassword/i.test(policies) && !passwordMeetsPolicy(password)) {
    throw badRequest(
      'The specified password does not comply with password complexity requirements. Please provide a different password.',
    );
  }
}

/** Keeps proxyAddresses in step with mail, as Exchange Online stamps a primary SMTP address. */
function stampProxy(values: Map<string, unknown>): void {
  if (!values.has('mail')) return;
  const mail = values.get('mail');
  values.set('proxyAddresses', typeof mail === 'string' ? [`SMTP:${mail}`] : []);
}

/**
 * Creates a user from a POST /users body.
 * @returns the stored user
 */
export function createUser(ctx: UserContext, body: unknown): UserObject {
  const { values, binds } = checkBody(USER, body, 'create');
  if (binds.size > 0)
    throw badRequest(`Property '${echo([...binds.keys()][0] ?? '')}@odata.bind' is not supported when creating a user.`);
  for (const name of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName', 'passwordProfile']) {
    const value = values.get(name);
    if (value === undefined || value === null || value === '') throw required(name);
  }
  const profile = values.get('passwordProfile') as Record<string, unknown>;
  if (typeof profile.password !== 'string' || profile.password === '') throw required('passwordProfile.password');
  checkCommon(ctx, values, undefined, String(values.get('passwordPolicies') ?? ''));
  stampProxy(values);
  const data: Record<string, unknown> = Object.create(null);
  for (const [name, value] of values) if (name !== 'passwordProfile' && value !== null) data[name] = value;
  data.createdDateTime = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  data.userType = data.userType ?? 'Member';
  data.businessPhones = data.businessPhones ?? [];
  data.otherMails = data.otherMails ?? [];
  data.proxyAddresses = data.proxyAddresses ?? [];
  const user = ctx.directory.insert('user', randomUUID(), data, profile.password as string) as UserObject;
  return user;
}

/** Applies a PATCH /users/{id} body. */
export function updateUser(ctx: UserContext, user: UserObject, body: unknown): void {
  const { values, binds } = checkBody(USER, body, 'update');
  if (binds.size > 0) throw badRequest(`Property '${echo([...binds.keys()][0] ?? '')}@odata.bind' is not supported on a user.`);
  for (const name of ['displayName', 'userPrincipalName', 'accountEnabled', 'mailNickname']) {
    if (values.has(name) && (values.get(name) === null || values.get(name) === '')) throw invalidValue(name, 'User');
  }
  const policies = String(values.get('passwordPolicies') ?? user.data.passwordPolicies ?? '');
  checkCommon(ctx, values, user.id, policies);
  stampProxy(values);
  const profile = values.get('passwordProfile') as Record<string, unknown> | undefined;
  values.delete('passwordProfile');
  if (typeof profile?.password === 'string') {
    ctx.directory.setPassword(user, profile.password);
    user.data.lastPasswordChangeDateTime = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  ctx.directory.update(user, values);
}
