/**
 * Entity and complex types the emulator knows, written from the v1.0 CSDL
 * (microsoftgraph/msgraph-metadata, schemas/v1.0-Prod.csdl). Every structural property of an
 * emulated type is listed so `$select` of a real property works even where the emulator keeps
 * no behaviour for it; anything else is an unknown property and a 400.
 *
 * A property spec is `type flags…`: type is `string|bool|int|datetime|guid|duration` or
 * `complex:<name>`, with `[]` for collections; flags: `d` returned without `$select`,
 * `w` writable on create and update, `c` writable on create only, `wo` write-only (never
 * returned), `single` readable only on a single-object GET.
 */

/** Scalar and complex value types of a property. */
export type ScalarType = 'string' | 'bool' | 'int' | 'datetime' | 'guid' | 'duration';

/** One property of an entity or complex type. */
export interface PropertyDef {
  readonly name: string;
  readonly type: ScalarType | 'complex';
  readonly complex: string | undefined;
  readonly collection: boolean;
  readonly returnedByDefault: boolean;
  readonly writable: 'always' | 'create' | 'never';
  readonly writeOnly: boolean;
  readonly singleOnly: boolean;
}

/** An entity or complex type with case-insensitive property lookup. */
export interface TypeDef {
  /** OData name, e.g. `user`; `microsoft.graph.` is prepended for `@odata.type`. */
  readonly name: string;
  /** Display name used in Graph messages, e.g. `User`. */
  readonly label: string;
  readonly properties: ReadonlyMap<string, PropertyDef>;
  /** Navigation properties (lower-cased), for `$expand` and to tell them from unknown names. */
  readonly navigation: ReadonlySet<string>;
  /** Canonical names returned when no `$select` is given. */
  readonly defaults: readonly string[];
}

function parseSpec(name: string, spec: string): PropertyDef {
  const [rawType = 'string', ...flags] = spec.split(' ');
  const collection = rawType.endsWith('[]');
  const base = collection ? rawType.slice(0, -2) : rawType;
  const complex = base.startsWith('complex:') ? base.slice('complex:'.length) : undefined;
  return {
    name,
    type: complex ? 'complex' : (base as ScalarType),
    complex,
    collection,
    returnedByDefault: flags.includes('d'),
    writable: flags.includes('w') ? 'always' : flags.includes('c') ? 'create' : 'never',
    writeOnly: flags.includes('wo'),
    singleOnly: flags.includes('single'),
  };
}

function defineType(name: string, label: string, specs: Record<string, string>, navigation: string[] = []): TypeDef {
  const properties = new Map<string, PropertyDef>();
  const defaults: string[] = [];
  for (const [prop, spec] of Object.entries(specs)) {
    const def = parseSpec(prop, spec);
    properties.set(prop.toLowerCase(), def);
    if (def.returnedByDefault) defaults.push(prop);
  }
  return { name, label, properties, navigation: new Set(navigation.map((n) => n.toLowerCase())), defaults };
}

const S = 'string';
const SW = 'string w';
const SWD = 'string w d';

/** `microsoft.graph.user`. The default set is the one documented for GET /users in v1.0. */
export const USER = defineType(
  'user',
  'User',
  {
    id: 'string d',
    deletedDateTime: 'datetime',
    aboutMe: 'string w single',
    accountEnabled: 'bool w',
    ageGroup: SW,
    assignedLicenses: 'complex:assignedLicense[]',
    assignedPlans: 'complex:assignedPlan[]',
    authorizationInfo: 'complex:authorizationInfo',
    birthday: 'datetime w single',
    businessPhones: 'string[] w d',
    city: SW,
    companyName: SW,
    consentProvidedForMinor: SW,
    country: SW,
    createdDateTime: 'datetime',
    creationType: S,
    customSecurityAttributes: 'complex:customSecurityAttributeValue',
    department: SW,
    deviceEnrollmentLimit: 'int',
    displayName: SWD,
    employeeHireDate: 'datetime w',
    employeeId: SW,
    employeeLeaveDateTime: 'datetime w',
    employeeOrgData: 'complex:employeeOrgData w',
    employeeType: SW,
    externalUserState: S,
    externalUserStateChangeDateTime: 'datetime',
    faxNumber: SW,
    givenName: SWD,
    hireDate: 'datetime w single',
    identities: 'complex:objectIdentity[] w',
    identityParentId: S,
    imAddresses: 'string[]',
    interests: 'string[] w single',
    isManagementRestricted: 'bool',
    isResourceAccount: 'bool',
    jobTitle: SWD,
    lastPasswordChangeDateTime: 'datetime',
    legalAgeGroupClassification: S,
    licenseAssignmentStates: 'complex:licenseAssignmentState[]',
    mail: SWD,
    mailboxSettings: 'complex:mailboxSettings single',
    mailNickname: SW,
    mobilePhone: SWD,
    mySite: 'string w single',
    officeLocation: SWD,
    onPremisesDistinguishedName: S,
    onPremisesDomainName: S,
    onPremisesExtensionAttributes: 'complex:onPremisesExtensionAttributes w',
    onPremisesImmutableId: SW,
    onPremisesLastSyncDateTime: 'datetime',
    onPremisesProvisioningErrors: 'complex:onPremisesProvisioningError[]',
    onPremisesSamAccountName: S,
    onPremisesSecurityIdentifier: S,
    onPremisesSyncEnabled: 'bool',
    onPremisesUserPrincipalName: S,
    otherMails: 'string[] w',
    passwordPolicies: SW,
    passwordProfile: 'complex:passwordProfile w wo',
    pastProjects: 'string[] w single',
    postalCode: SW,
    preferredDataLocation: SW,
    preferredLanguage: SWD,
    preferredName: 'string w single',
    print: 'complex:userPrint single',
    provisionedPlans: 'complex:provisionedPlan[]',
    proxyAddresses: 'string[]',
    responsibilities: 'string[] w single',
    schools: 'string[] w single',
    securityIdentifier: S,
    serviceProvisioningErrors: 'complex:serviceProvisioningError[]',
    showInAddressList: 'bool w',
    signInActivity: 'complex:signInActivity',
    signInSessionsValidFromDateTime: 'datetime',
    skills: 'string[] w single',
    state: SW,
    streetAddress: SW,
    surname: SWD,
    usageLocation: SW,
    userPrincipalName: SWD,
    userType: SW,
  },
  ['manager', 'memberOf', 'transitiveMemberOf', 'directReports', 'licenseDetails', 'ownedObjects', 'registeredDevices'],
);

/** `microsoft.graph.group`. The default set is the one GET /groups returns in v1.0. */
export const GROUP = defineType(
  'group',
  'Group',
  {
    id: 'string d',
    deletedDateTime: 'datetime d',
    accessType: 'string',
    allowExternalSenders: 'bool w',
    assignedLabels: 'complex:assignedLabel[] w',
    assignedLicenses: 'complex:assignedLicense[]',
    autoSubscribeNewMembers: 'bool w',
    classification: SWD,
    createdDateTime: 'datetime d',
    description: SWD,
    displayName: SWD,
    expirationDateTime: 'datetime d',
    groupTypes: 'string[] w d',
    hasMembersWithLicenseErrors: 'bool',
    hideFromAddressLists: 'bool w',
    hideFromOutlookClients: 'bool w',
    isArchived: 'bool',
    isAssignableToRole: 'bool c d',
    isFavorite: 'bool',
    isManagementRestricted: 'bool',
    isSubscribedByMail: 'bool',
    licenseProcessingState: 'complex:licenseProcessingState',
    mail: 'string d',
    mailEnabled: 'bool w d',
    mailNickname: SWD,
    membershipRule: SWD,
    membershipRuleProcessingState: SWD,
    onPremisesDomainName: 'string d',
    onPremisesExtensionAttributes: 'complex:onPremisesExtensionAttributes',
    onPremisesLastSyncDateTime: 'datetime d',
    onPremisesNetBiosName: 'string d',
    onPremisesProvisioningErrors: 'complex:onPremisesProvisioningError[] d',
    onPremisesSamAccountName: 'string d',
    onPremisesSecurityIdentifier: 'string d',
    onPremisesSyncEnabled: 'bool d',
    organizationId: S,
    preferredDataLocation: SWD,
    preferredLanguage: SWD,
    proxyAddresses: 'string[] d',
    renewedDateTime: 'datetime d',
    resourceBehaviorOptions: 'string[] c d',
    resourceProvisioningOptions: 'string[] c d',
    securityEnabled: 'bool w d',
    securityIdentifier: 'string d',
    serviceProvisioningErrors: 'complex:serviceProvisioningError[] d',
    theme: SWD,
    uniqueName: 'string c d',
    unseenConversationsCount: 'int',
    unseenCount: 'int',
    unseenMessagesCount: 'int',
    visibility: SWD,
    welcomeMessageEnabled: 'bool w',
  },
  ['members', 'transitiveMembers', 'memberOf', 'transitiveMemberOf', 'owners', 'createdOnBehalfOf'],
);

/** `microsoft.graph.directoryRole` (an activated role). */
export const DIRECTORY_ROLE = defineType(
  'directoryRole',
  'DirectoryRole',
  { id: 'string d', deletedDateTime: 'datetime d', description: 'string d', displayName: 'string d', roleTemplateId: 'string d' },
  ['members', 'scopedMembers'],
);

/** `microsoft.graph.subscribedSku`. */
export const SUBSCRIBED_SKU = defineType('subscribedSku', 'SubscribedSku', {
  id: 'string d',
  accountId: 'string d',
  accountName: 'string d',
  appliesTo: 'string d',
  capabilityStatus: 'string d',
  consumedUnits: 'int d',
  prepaidUnits: 'complex:licenseUnitsDetail d',
  servicePlans: 'complex:servicePlanInfo[] d',
  skuId: 'guid d',
  skuPartNumber: 'string d',
  subscriptionIds: 'string[] d',
});

/** `microsoft.graph.licenseDetails`. */
export const LICENSE_DETAILS = defineType('licenseDetails', 'LicenseDetails', {
  id: 'string d',
  servicePlans: 'complex:servicePlanInfo[] d',
  skuId: 'guid d',
  skuPartNumber: 'string d',
});

/** `microsoft.graph.unifiedRoleDefinition`. */
export const ROLE_DEFINITION = defineType(
  'unifiedRoleDefinition',
  'UnifiedRoleDefinition',
  {
    id: 'string d',
    description: 'string d',
    displayName: 'string d',
    isBuiltIn: 'bool d',
    isEnabled: 'bool d',
    resourceScopes: 'string[] d',
    rolePermissions: 'complex:unifiedRolePermission[] d',
    templateId: 'string d',
    version: 'string d',
  },
  ['inheritsPermissionsFrom'],
);

/** `microsoft.graph.unifiedRoleAssignment`. */
export const ROLE_ASSIGNMENT = defineType(
  'unifiedRoleAssignment',
  'UnifiedRoleAssignment',
  {
    id: 'string d',
    appScopeId: 'string c d',
    condition: 'string d',
    directoryScopeId: 'string c d',
    principalId: 'string c d',
    principalOrganizationId: 'string d',
    roleDefinitionId: 'string c d',
  },
  ['appScope', 'directoryScope', 'principal', 'roleDefinition'],
);

const SCHEDULE_NAV = ['appScope', 'directoryScope', 'principal', 'roleDefinition'];

/** `microsoft.graph.unifiedRoleEligibilityScheduleRequest`. */
export const ELIGIBILITY_REQUEST = defineType(
  'unifiedRoleEligibilityScheduleRequest',
  'UnifiedRoleEligibilityScheduleRequest',
  {
    id: 'string d',
    approvalId: 'string d',
    completedDateTime: 'datetime d',
    createdBy: 'complex:identitySet d',
    createdDateTime: 'datetime d',
    customData: 'string d',
    status: 'string d',
    action: 'string c d',
    appScopeId: 'string c d',
    directoryScopeId: 'string c d',
    isValidationOnly: 'bool c d',
    justification: 'string c d',
    principalId: 'string c d',
    roleDefinitionId: 'string c d',
    scheduleInfo: 'complex:requestSchedule c d',
    targetScheduleId: 'string c d',
    ticketInfo: 'complex:ticketInfo c d',
  },
  [...SCHEDULE_NAV, 'targetSchedule'],
);

/** `microsoft.graph.unifiedRoleEligibilitySchedule`. */
export const ELIGIBILITY_SCHEDULE = defineType(
  'unifiedRoleEligibilitySchedule',
  'UnifiedRoleEligibilitySchedule',
  {
    id: 'string d',
    appScopeId: 'string d',
    createdDateTime: 'datetime d',
    createdUsing: 'string d',
    directoryScopeId: 'string d',
    modifiedDateTime: 'datetime d',
    principalId: 'string d',
    roleDefinitionId: 'string d',
    status: 'string d',
    memberType: 'string d',
    scheduleInfo: 'complex:requestSchedule d',
  },
  SCHEDULE_NAV,
);

/** `microsoft.graph.unifiedRoleEligibilityScheduleInstance`. */
export const ELIGIBILITY_INSTANCE = defineType(
  'unifiedRoleEligibilityScheduleInstance',
  'UnifiedRoleEligibilityScheduleInstance',
  {
    id: 'string d',
    appScopeId: 'string d',
    directoryScopeId: 'string d',
    principalId: 'string d',
    roleDefinitionId: 'string d',
    endDateTime: 'datetime d',
    memberType: 'string d',
    roleEligibilityScheduleId: 'string d',
    startDateTime: 'datetime d',
  },
  SCHEDULE_NAV,
);

/** `microsoft.graph.accessPackage`. */
export const ACCESS_PACKAGE = defineType(
  'accessPackage',
  'AccessPackage',
  {
    id: 'string d',
    createdDateTime: 'datetime d',
    description: 'string d',
    displayName: 'string d',
    isHidden: 'bool d',
    modifiedDateTime: 'datetime d',
  },
  [
    'accessPackagesIncompatibleWith',
    'assignmentPolicies',
    'catalog',
    'incompatibleAccessPackages',
    'incompatibleGroups',
    'resourceRoleScopes',
  ],
);

/** `microsoft.graph.accessPackageAssignmentPolicy` (the subset the emulator keeps). */
export const ASSIGNMENT_POLICY = defineType(
  'accessPackageAssignmentPolicy',
  'AccessPackageAssignmentPolicy',
  {
    id: 'string d',
    allowedTargetScope: 'string d',
    createdDateTime: 'datetime d',
    description: 'string d',
    displayName: 'string d',
    modifiedDateTime: 'datetime d',
  },
  ['accessPackage', 'catalog'],
);

/** `microsoft.graph.accessPackageAssignment`. */
export const ACCESS_PACKAGE_ASSIGNMENT = defineType(
  'accessPackageAssignment',
  'AccessPackageAssignment',
  {
    id: 'string d',
    customExtensionCalloutInstances: 'complex:customExtensionCalloutInstance[] d',
    expiredDateTime: 'datetime d',
    schedule: 'complex:entitlementManagementSchedule d',
    state: 'string d',
    status: 'string d',
  },
  ['accessPackage', 'assignmentPolicy', 'target'],
);

/** `microsoft.graph.accessPackageAssignmentRequest`. */
export const ASSIGNMENT_REQUEST = defineType(
  'accessPackageAssignmentRequest',
  'AccessPackageAssignmentRequest',
  {
    id: 'string d',
    answers: 'complex:accessPackageAnswer[] c d',
    completedDateTime: 'datetime d',
    createdDateTime: 'datetime d',
    customExtensionCalloutInstances: 'complex:customExtensionCalloutInstance[] d',
    justification: 'string c d',
    requestType: 'string c d',
    schedule: 'complex:entitlementManagementSchedule c d',
    state: 'string d',
    status: 'string d',
  },
  ['accessPackage', 'assignment', 'requestor'],
);

/** Complex types whose members take part in filters or validation. */
export const COMPLEX_TYPES: ReadonlyMap<string, TypeDef> = new Map(
  [
    defineType('assignedLicense', 'AssignedLicense', { disabledPlans: 'guid[] w', skuId: 'guid w' }),
    defineType('objectIdentity', 'ObjectIdentity', { issuer: SW, issuerAssignedId: SW, signInType: SW }),
    defineType('employeeOrgData', 'EmployeeOrgData', { costCenter: SW, division: SW }),
    defineType('passwordProfile', 'PasswordProfile', {
      forceChangePasswordNextSignIn: 'bool w',
      forceChangePasswordNextSignInWithMfa: 'bool w',
      password: 'string w',
    }),
    defineType(
      'onPremisesExtensionAttributes',
      'OnPremisesExtensionAttributes',
      Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, SW])),
    ),
    defineType('accessPackageSubject', 'AccessPackageSubject', {
      displayName: S,
      email: S,
      objectId: S,
      onPremisesSecurityIdentifier: S,
      principalName: S,
      subjectType: S,
    }),
    defineType('entityRef', 'Entity', { id: S, displayName: S }),
  ].map((t) => [t.name, t]),
);

/** Resolves a property of `type` case-insensitively. */
export function findProperty(type: TypeDef, name: string): PropertyDef | undefined {
  return type.properties.get(name.toLowerCase());
}

/** The `@odata.type` value of an entity type, e.g. `#microsoft.graph.user`. */
export function odataType(type: TypeDef): string {
  return `#microsoft.graph.${type.name}`;
}

/** `microsoft.graph.servicePrincipal` (only what the emulator stores for registered apps). */
export const SERVICE_PRINCIPAL = defineType(
  'servicePrincipal',
  'ServicePrincipal',
  {
    id: 'string d',
    deletedDateTime: 'datetime d',
    accountEnabled: 'bool d',
    appDisplayName: 'string d',
    appId: 'string d',
    appOwnerOrganizationId: 'string d',
    displayName: 'string d',
    servicePrincipalNames: 'string[] d',
    servicePrincipalType: 'string d',
    tags: 'string[] d',
  },
  ['memberOf', 'transitiveMemberOf', 'owners', 'appRoleAssignments'],
);

/** `microsoft.graph.directoryObject`: the base of members, memberOf and getByIds results. */
export const DIRECTORY_OBJECT = defineType('directoryObject', 'DirectoryObject', {
  id: 'string d',
  deletedDateTime: 'datetime d',
});
