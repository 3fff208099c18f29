/**
 * Built-in Microsoft Entra role definitions the emulator ships with. The ids are the public,
 * documented role template ids (identical in every tenant); descriptions are the emulator's.
 */

/** A role definition as given to {@link startGraphEmulator} (`roles`) or built in. */
export interface RoleDefinitionSeed {
  readonly id: string;
  readonly displayName: string;
  readonly description?: string;
  readonly isBuiltIn?: boolean;
  readonly allowedResourceActions?: readonly string[];
}

/** Well-known template ids, for tests that assign roles. */
export const ROLE_TEMPLATES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  groupsAdministrator: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  licenseAdministrator: '4d6ac14f-3453-41d0-bef9-a3e0c569773a',
  directoryReaders: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  sharePointAdministrator: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
} as const;

/** The built-in definitions. */
export const BUILT_IN_ROLES: readonly RoleDefinitionSeed[] = [
  {
    id: ROLE_TEMPLATES.globalAdministrator,
    displayName: 'Global Administrator',
    description: 'Manages every aspect of the tenant.',
  },
  { id: ROLE_TEMPLATES.userAdministrator, displayName: 'User Administrator', description: 'Manages users and groups.' },
  {
    id: ROLE_TEMPLATES.groupsAdministrator,
    displayName: 'Groups Administrator',
    description: 'Manages groups and group settings.',
  },
  {
    id: ROLE_TEMPLATES.helpdeskAdministrator,
    displayName: 'Helpdesk Administrator',
    description: 'Resets passwords of non-administrators.',
  },
  { id: ROLE_TEMPLATES.globalReader, displayName: 'Global Reader', description: 'Reads everything a Global Administrator can.' },
  {
    id: ROLE_TEMPLATES.applicationAdministrator,
    displayName: 'Application Administrator',
    description: 'Manages app registrations and enterprise apps.',
  },
  { id: ROLE_TEMPLATES.securityAdministrator, displayName: 'Security Administrator', description: 'Manages security settings.' },
  {
    id: ROLE_TEMPLATES.privilegedRoleAdministrator,
    displayName: 'Privileged Role Administrator',
    description: 'Manages role assignments.',
  },
  { id: ROLE_TEMPLATES.licenseAdministrator, displayName: 'License Administrator', description: 'Manages license assignments.' },
  { id: ROLE_TEMPLATES.directoryReaders, displayName: 'Directory Readers', description: 'Reads basic directory information.' },
  { id: ROLE_TEMPLATES.exchangeAdministrator, displayName: 'Exchange Administrator', description: 'Manages Exchange Online.' },
  {
    id: ROLE_TEMPLATES.sharePointAdministrator,
    displayName: 'SharePoint Administrator',
    description: 'Manages SharePoint Online.',
  },
];
