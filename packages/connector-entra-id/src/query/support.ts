/**
 * Which `$filter` forms Microsoft Entra ID answers for user and group properties, and which only
 * as "advanced queries" (`ConsistencyLevel: eventual` header and `$count=true`), after Microsoft's
 * table "Advanced query capabilities on Microsoft Entra ID objects".
 *
 * `D` works by default, `A` needs the advanced parameters; a missing form is not supported.
 * `ne` and `not` are advanced wherever `eq` works. A property this table does not list is
 * assumed to support `eq`/`in` by default and nothing else (directory extension properties).
 *
 * @see https://learn.microsoft.com/graph/aad-advanced-queries
 */

/** Support of one filter form. */
export type Support = 'D' | 'A';
/** Filter forms: `eq`, `in`, `sw` (startsWith), `ew` (endsWith), `range` (ge/le), `null` (eq/ne null). */
export interface PropertySupport {
  eq?: Support;
  in?: Support;
  sw?: Support;
  ew?: Support;
  range?: Support;
  null?: Support;
  /** `/$count` of a collection (presence of a multi-valued property). */
  count?: Support;
  /** Edm type when not a string. */
  type?: 'boolean' | 'datetime' | 'guid';
  /** A collection of strings, filtered through `any()`. */
  collection?: boolean;
}

const text = (nullable: Support = 'A'): PropertySupport => ({ eq: 'D', in: 'D', sw: 'D', range: 'D', null: nullable });
const advanced = (): PropertySupport => ({ eq: 'A', in: 'A', sw: 'A', range: 'A', null: 'A' });

/** User properties. */
export const USER_PROPERTIES: Readonly<Record<string, PropertySupport>> = {
  id: { eq: 'D', in: 'D' },
  accountEnabled: { eq: 'D', in: 'D', type: 'boolean' },
  businessPhones: { eq: 'D', count: 'A', collection: true },
  city: text(),
  companyName: advanced(),
  country: text(),
  createdDateTime: { eq: 'D', in: 'A', range: 'D', type: 'datetime' },
  department: text(),
  displayName: { eq: 'D', in: 'D', sw: 'D', null: 'A' },
  employeeId: { eq: 'D', in: 'D', sw: 'D', range: 'A', null: 'A' },
  'employeeOrgData/costCenter': { eq: 'A' },
  'employeeOrgData/division': { eq: 'A' },
  employeeType: { eq: 'A', in: 'A', sw: 'A', range: 'A' },
  faxNumber: advanced(),
  givenName: text(),
  jobTitle: text(),
  mail: { eq: 'D', in: 'D', sw: 'D', range: 'D', ew: 'A', null: 'A' },
  mailNickname: text(),
  mobilePhone: advanced(),
  officeLocation: advanced(),
  onPremisesImmutableId: { eq: 'A', in: 'A', range: 'A' },
  ...Object.fromEntries(
    Array.from({ length: 15 }, (_, i) => [`onPremisesExtensionAttributes/extensionAttribute${i + 1}`, advanced()]),
  ),
  onPremisesSamAccountName: { eq: 'A', in: 'A', sw: 'A', range: 'A' },
  otherMails: { eq: 'D', sw: 'D', ew: 'A', count: 'A', collection: true },
  postalCode: advanced(),
  preferredLanguage: advanced(),
  proxyAddresses: { eq: 'D', sw: 'D', ew: 'A', count: 'A', collection: true },
  state: text(),
  streetAddress: advanced(),
  surname: text(),
  usageLocation: { eq: 'D', in: 'D', sw: 'D', range: 'D', null: 'A' },
  userPrincipalName: { eq: 'D', in: 'D', sw: 'D', range: 'D', ew: 'A' },
  userType: { eq: 'D', in: 'D', null: 'A' },
};

/** Group properties. */
export const GROUP_PROPERTIES: Readonly<Record<string, PropertySupport>> = {
  id: { eq: 'D', in: 'D' },
  classification: { eq: 'D', in: 'D', sw: 'D' },
  createdDateTime: { eq: 'A', in: 'A', range: 'A', type: 'datetime' },
  description: { eq: 'A', in: 'A', sw: 'A' },
  displayName: { eq: 'D', in: 'D', sw: 'D', null: 'A' },
  groupTypes: { eq: 'D', count: 'A', collection: true },
  isAssignableToRole: { eq: 'D', in: 'D', type: 'boolean' },
  mail: { eq: 'D', in: 'D', sw: 'D', ew: 'A', null: 'A' },
  mailEnabled: { eq: 'D', in: 'D', type: 'boolean' },
  mailNickname: { eq: 'D', in: 'D', sw: 'D', null: 'A' },
  proxyAddresses: { eq: 'D', sw: 'D', ew: 'A', count: 'A', collection: true },
  securityEnabled: { eq: 'D', in: 'D', type: 'boolean' },
};

const UNLISTED: PropertySupport = { eq: 'D', in: 'D' };

/** Support of `property` (Graph path with `/`), case-insensitive. */
export function supportOf(table: Readonly<Record<string, PropertySupport>>, property: string): PropertySupport {
  if (Object.hasOwn(table, property)) return table[property] as PropertySupport;
  const lower = property.toLowerCase();
  for (const [k, v] of Object.entries(table)) if (k.toLowerCase() === lower) return v;
  return UNLISTED;
}

/** `$orderby` properties: userPrincipalName and displayName by default (with `$filter`: advanced only). */
export const USER_ORDERBY = new Set(['userPrincipalName', 'displayName']);
/** Groups sort by displayName. */
export const GROUP_ORDERBY = new Set(['displayName']);
