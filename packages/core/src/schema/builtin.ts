/**
 * Built-in schemas of RFC 7643: User (§4.1), Group (§4.2), Enterprise User
 * (§4.3), and Role / Entitlement resources (served read-only).
 */
import { type AttributeDefinition, type AttributeInput, attr, type SchemaDefinition } from './types.js';
import { URN } from './urns.js';

/** A multi-valued attribute of RFC 7643 §2.4's shape; `types` are the canonical values of its `type` (§8.7.1). */
const multi = (name: string, types?: string[]): AttributeInput => ({
  name,
  multiValued: true,
  subAttributes: [
    { name: 'value' },
    { name: 'display' },
    { name: 'type', ...(types ? { canonicalValues: types } : {}) },
    { name: 'primary', type: 'boolean' },
  ],
});

const ref = (name: string, referenceTypes: string[], mutability: AttributeInput['mutability'] = 'readWrite'): AttributeInput => ({
  name,
  type: 'reference',
  referenceTypes,
  mutability,
});

/** `id`, `externalId` and `meta` — common attributes of every resource (RFC 7643 §3.1). */
export const commonAttributes: AttributeDefinition[] = [
  attr({ name: 'id', caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  attr({ name: 'externalId', caseExact: true }),
  attr({
    name: 'meta',
    mutability: 'readOnly',
    subAttributes: [
      { name: 'resourceType', caseExact: true, mutability: 'readOnly' },
      { name: 'created', type: 'dateTime', mutability: 'readOnly' },
      { name: 'lastModified', type: 'dateTime', mutability: 'readOnly' },
      { name: 'location', type: 'reference', referenceTypes: ['uri'], mutability: 'readOnly' },
      { name: 'version', caseExact: true, mutability: 'readOnly' },
    ],
  }),
];

export const userSchema: SchemaDefinition = {
  id: URN.User,
  name: 'User',
  description: 'User Account',
  attributes: (
    [
      { name: 'userName', required: true, uniqueness: 'server' },
      {
        name: 'name',
        subAttributes: [
          { name: 'formatted' },
          { name: 'familyName' },
          { name: 'givenName' },
          { name: 'middleName' },
          { name: 'honorificPrefix' },
          { name: 'honorificSuffix' },
        ],
      },
      { name: 'displayName' },
      { name: 'nickName' },
      { ...ref('profileUrl', ['external']) },
      { name: 'title' },
      { name: 'userType' },
      { name: 'preferredLanguage' },
      { name: 'locale' },
      { name: 'timezone' },
      { name: 'active', type: 'boolean' },
      { name: 'password', mutability: 'writeOnly', returned: 'never' },
      multi('emails', ['work', 'home', 'other']),
      multi('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
      multi('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
      {
        name: 'photos',
        multiValued: true,
        subAttributes: [
          { ...ref('value', ['external']) },
          { name: 'display' },
          { name: 'type', canonicalValues: ['photo', 'thumbnail'] },
          { name: 'primary', type: 'boolean' },
        ],
      },
      {
        name: 'addresses',
        multiValued: true,
        subAttributes: [
          { name: 'formatted' },
          { name: 'streetAddress' },
          { name: 'locality' },
          { name: 'region' },
          { name: 'postalCode' },
          { name: 'country' },
          { name: 'type', canonicalValues: ['work', 'home', 'other'] },
          { name: 'primary', type: 'boolean' },
        ],
      },
      {
        name: 'groups',
        multiValued: true,
        mutability: 'readOnly',
        subAttributes: [
          { name: 'value', mutability: 'readOnly' },
          { ...ref('$ref', ['User', 'Group'], 'readOnly') },
          { name: 'display', mutability: 'readOnly' },
          { name: 'type', mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] },
        ],
      },
      multi('entitlements'),
      multi('roles'),
      {
        name: 'x509Certificates',
        multiValued: true,
        subAttributes: [
          { name: 'value', type: 'binary' },
          { name: 'display' },
          { name: 'type' },
          { name: 'primary', type: 'boolean' },
        ],
      },
    ] satisfies AttributeInput[]
  ).map(attr),
};

export const groupSchema: SchemaDefinition = {
  id: URN.Group,
  name: 'Group',
  description: 'Group',
  attributes: (
    [
      { name: 'displayName', required: true },
      {
        name: 'members',
        multiValued: true,
        subAttributes: [
          { name: 'value', caseExact: true, mutability: 'immutable' },
          { ...ref('$ref', ['User', 'Group'], 'immutable') },
          { name: 'display', mutability: 'immutable' },
          { name: 'type', mutability: 'immutable', canonicalValues: ['User', 'Group'] },
        ],
      },
    ] satisfies AttributeInput[]
  ).map(attr),
};

export const enterpriseUserSchema: SchemaDefinition = {
  id: URN.EnterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: (
    [
      { name: 'employeeNumber' },
      { name: 'costCenter' },
      { name: 'organization' },
      { name: 'division' },
      { name: 'department' },
      {
        name: 'manager',
        subAttributes: [
          { name: 'value', caseExact: true },
          { ...ref('$ref', ['User']) },
          { name: 'displayName', mutability: 'readOnly' },
        ],
      },
    ] satisfies AttributeInput[]
  ).map(attr),
};

const readOnlyResource = (id: string, name: string, extra: AttributeInput[]): SchemaDefinition => ({
  id,
  name,
  description: name,
  attributes: (
    [
      { name: 'displayName', mutability: 'readOnly' },
      { name: 'value', mutability: 'readOnly' },
      { name: 'type', mutability: 'readOnly' },
      { name: 'description', mutability: 'readOnly' },
      ...extra,
    ] satisfies AttributeInput[]
  ).map(attr),
});

export const roleSchema: SchemaDefinition = readOnlyResource(URN.Role, 'Role', [
  { name: 'enabled', type: 'boolean', mutability: 'readOnly' },
]);

export const entitlementSchema: SchemaDefinition = readOnlyResource(URN.Entitlement, 'Entitlement', [
  { name: 'enabled', type: 'boolean', mutability: 'readOnly' },
]);

/** Every built-in schema, keyed by URN. */
export const builtinSchemas: readonly SchemaDefinition[] = [
  userSchema,
  groupSchema,
  enterpriseUserSchema,
  roleSchema,
  entitlementSchema,
];
