/**
 * Which `$filter` forms directory objects answer by default and which need the advanced query
 * parameters (`ConsistencyLevel: eventual` and `$count=true`), after Microsoft's
 * "Advanced query capabilities on Microsoft Entra ID objects" tables.
 *
 * Table cells: `D` works by default, `A` needs advanced query parameters; an absent operator
 * is not supported at all. `ne` and `not` need advanced parameters wherever `eq` works;
 * `in` follows `eq` unless the table says otherwise; `endsWith` exists only where listed.
 */
import { unsupportedQuery } from '../graph/errors.js';
import type { FilterClause } from './evaluate.js';

/** Whether a query form works by default (`D`) or only as an advanced query (`A`). */
export type Support = 'D' | 'A';
/** Per property: eq, in, sw (startsWith), ew (endsWith), range (ge/le), null, count (`/$count`). */
/** Filter support of one property. */
export type Cells = Partial<Record<'eq' | 'in' | 'sw' | 'ew' | 'range' | 'null' | 'count', Support>>;

function table(rows: Record<string, string>): ReadonlyMap<string, Cells> {
  const map = new Map<string, Cells>();
  for (const [property, spec] of Object.entries(rows)) {
    const cells: Cells = {};
    for (const cell of spec.split(' ')) {
      const [key, value] = cell.split(':') as [keyof Cells, Support];
      cells[key] = value;
    }
    map.set(property.toLowerCase(), cells);
  }
  return map;
}

const ALL_ADVANCED = 'eq:A in:A sw:A range:A null:A';
const TEXT_DEFAULT = 'eq:D in:D sw:D range:D null:A';

/** User properties (the collection properties are filtered through `any()`). */
export const USER_FILTERS = table({
  accountEnabled: 'eq:D in:D range:A',
  ageGroup: 'eq:D in:D',
  'assignedLicenses/skuId': 'eq:D',
  assignedLicenses: 'count:A',
  'assignedPlans/capabilityStatus': 'eq:A',
  'assignedPlans/service': 'eq:A',
  'assignedPlans/servicePlanId': 'eq:A',
  businessPhones: 'eq:D count:A',
  city: TEXT_DEFAULT,
  companyName: ALL_ADVANCED,
  consentProvidedForMinor: 'eq:D in:D',
  country: TEXT_DEFAULT,
  createdDateTime: 'eq:D in:A range:D',
  creationType: 'eq:D in:D',
  department: TEXT_DEFAULT,
  displayName: 'eq:D in:D sw:D null:A',
  employeeHireDate: 'eq:A in:A range:A',
  employeeId: 'eq:D in:D sw:D range:A null:A',
  'employeeOrgData/costCenter': 'eq:A',
  'employeeOrgData/division': 'eq:A',
  employeeType: 'eq:A in:A sw:A range:A',
  externalUserState: 'eq:D in:D',
  faxNumber: ALL_ADVANCED,
  givenName: TEXT_DEFAULT,
  id: 'eq:D in:D',
  'identities/issuer': 'eq:D',
  'identities/issuerAssignedId': 'eq:D',
  imAddresses: 'eq:D sw:D range:D',
  isResourceAccount: 'eq:D',
  jobTitle: TEXT_DEFAULT,
  mail: 'eq:D in:D sw:D range:D ew:A null:A',
  mailNickname: TEXT_DEFAULT,
  mobilePhone: ALL_ADVANCED,
  officeLocation: ALL_ADVANCED,
  ...Object.fromEntries(
    Array.from({ length: 15 }, (_, i) => [
      `onPremisesExtensionAttributes/extensionAttribute${i + 1}`,
      'eq:A in:A range:A null:A',
    ]),
  ),
  onPremisesImmutableId: 'eq:A in:A range:A',
  onPremisesSamAccountName: 'eq:A in:A sw:A range:A',
  onPremisesSecurityIdentifier: 'eq:D in:D null:A',
  onPremisesSyncEnabled: 'eq:D in:D range:A null:A',
  onPremisesUserPrincipalName: 'eq:D in:D sw:D range:D',
  otherMails: 'eq:D in:D sw:D range:D ew:A count:A',
  passwordPolicies: 'eq:A null:A',
  postalCode: ALL_ADVANCED,
  preferredLanguage: ALL_ADVANCED,
  proxyAddresses: 'eq:D sw:D range:D ew:A null:A count:A',
  showInAddressList: 'eq:A in:A range:A',
  state: TEXT_DEFAULT,
  streetAddress: ALL_ADVANCED,
  surname: TEXT_DEFAULT,
  usageLocation: 'eq:D in:D sw:D range:D null:A',
  userPrincipalName: 'eq:D in:D sw:D range:D ew:A',
  userType: 'eq:D in:D null:A',
});

/** Group properties. */
export const GROUP_FILTERS = table({
  'assignedLicenses/skuId': 'eq:D',
  classification: 'eq:D in:D sw:D',
  description: 'eq:A in:A sw:A',
  displayName: 'eq:D in:D sw:D null:A',
  expirationDateTime: 'eq:A range:A',
  groupTypes: 'eq:D count:A',
  hasMembersWithLicenseErrors: 'eq:D null:D',
  id: 'eq:D in:D',
  isAssignableToRole: 'eq:D in:D',
  mail: 'eq:D in:D sw:D ew:A null:A',
  mailEnabled: 'eq:D in:D',
  mailNickname: 'eq:D in:D sw:D null:A',
  membershipRule: 'eq:D sw:D',
  onPremisesSamAccountName: 'eq:A sw:A',
  onPremisesSecurityIdentifier: 'null:A',
  onPremisesSyncEnabled: 'eq:D null:A',
  preferredLanguage: 'eq:A sw:A null:A',
  proxyAddresses: 'eq:D sw:D ew:A count:A',
  renewedDateTime: 'eq:D range:D',
  resourceProvisioningOptions: 'eq:D',
  securityEnabled: 'eq:D in:D',
});

/** Properties of `directoryObject` collections (members, memberOf …) filterable after an OData cast or on `id`. */
export const DIRECTORY_OBJECT_FILTERS = table({ id: 'eq:D in:D' });

function cellFor(clause: FilterClause, cells: Cells): Support | undefined {
  switch (clause.op) {
    case 'eq':
      return cells.eq;
    case 'in':
      return cells.in ?? cells.eq;
    case 'ne':
      return cells.eq ? 'A' : undefined;
    case 'startsWith':
      return cells.sw;
    case 'endsWith':
      return cells.ew;
    case 'range':
      return cells.range;
    case 'null':
      return cells.null;
    case 'count':
      return cells.count;
    default:
      return undefined;
  }
}

const ADVANCED_OPERATOR: Partial<Record<FilterClause['op'], string>> = {
  ne: 'ne',
  endsWith: 'endsWith',
  count: '$count',
};

/**
 * Refuses a filter the directory would refuse: unsupported clauses always, advanced-only
 * clauses and `not` unless `advanced` (ConsistencyLevel eventual + $count=true).
 */
export function checkDirectoryFilter(
  clauses: readonly FilterClause[],
  usesNot: boolean,
  filters: ReadonlyMap<string, Cells>,
  label: string,
  advanced: boolean,
): void {
  for (const clause of clauses) {
    const cells = filters.get(clause.property.toLowerCase());
    const support = cells ? cellFor(clause, cells) : undefined;
    if (!support) {
      throw unsupportedQuery(
        `Unsupported or invalid query filter clause specified for property '${clause.property}' of resource '${label}'.`,
      );
    }
    if (support === 'A' && !advanced) {
      const operator = ADVANCED_OPERATOR[clause.op];
      if (operator) throw missingAdvanced(operator);
      throw unsupportedQuery(
        `Unsupported or invalid query filter clause specified for property '${clause.property}' of resource '${label}'.`,
      );
    }
  }
  if (usesNot && !advanced) throw missingAdvanced('not');
}

/** The error Graph gives when an operator needs the advanced query parameters. */
export function missingAdvanced(operator: string): Error {
  return unsupportedQuery(
    `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );
}

/** `$orderby` support per property: `D` default, `A` advanced only. */
export const USER_ORDERBY: ReadonlyMap<string, Support> = new Map([
  ['displayname', 'D'],
  ['userprincipalname', 'D'],
  ['createddatetime', 'A'],
  ['deleteddatetime', 'A'],
]);
/** `$orderby` support for groups. */
export const GROUP_ORDERBY: ReadonlyMap<string, Support> = new Map([
  ['displayname', 'D'],
  ['deleteddatetime', 'A'],
]);
