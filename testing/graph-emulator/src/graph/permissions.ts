/**
 * Application permissions each route accepts, from the "Permissions" sections of the
 * Microsoft Graph v1.0 API reference (least privileged first, then the higher ones listed).
 * A token whose `roles` hold none of them gets 403 Authorization_RequestDenied.
 */

const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const USER_WRITE = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const GROUP_READ = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const ROLE_READ = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'Directory.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.ReadWrite.All',
];
const ELIGIBILITY_READ = [
  'RoleEligibilitySchedule.Read.Directory',
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleEligibilitySchedule.ReadWrite.Directory',
  'RoleManagement.ReadWrite.Directory',
];

/** Permission sets by operation. */
export const PERMISSIONS = {
  usersRead: USER_READ,
  usersWrite: USER_WRITE,
  /** PATCH with passwordProfile. */
  usersPassword: ['User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  usersDelete: USER_WRITE,
  managerWrite: USER_WRITE,
  memberOfRead: [
    'GroupMember.Read.All',
    'Group.Read.All',
    'Directory.Read.All',
    'Group.ReadWrite.All',
    'Directory.ReadWrite.All',
  ],
  licenseRead: ['LicenseAssignment.Read.All', 'LicenseAssignment.ReadWrite.All', ...USER_READ],
  licenseWrite: ['LicenseAssignment.ReadWrite.All', ...USER_WRITE],
  groupsRead: GROUP_READ,
  groupsCreate: ['Group.Create', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  groupsWrite: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  membersRead: [...GROUP_READ, 'GroupMember.ReadWrite.All'],
  membersWrite: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  ownersWrite: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  skusRead: [
    'LicenseAssignment.Read.All',
    'Organization.Read.All',
    'Directory.Read.All',
    'LicenseAssignment.ReadWrite.All',
    'Organization.ReadWrite.All',
    'Directory.ReadWrite.All',
  ],
  directoryRolesRead: [
    'RoleManagement.Read.Directory',
    'Directory.Read.All',
    'RoleManagement.ReadWrite.Directory',
    'Directory.ReadWrite.All',
  ],
  roleDefinitionsRead: ROLE_READ,
  roleAssignmentsRead: ROLE_READ,
  roleAssignmentsWrite: ['RoleManagement.ReadWrite.Directory'],
  eligibilityRead: ELIGIBILITY_READ,
  eligibilityWrite: ['RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'],
  entitlementRead: ['EntitlementManagement.Read.All', 'EntitlementManagement.ReadWrite.All'],
  entitlementWrite: ['EntitlementManagement.ReadWrite.All'],
  directoryObjectsRead: ['Directory.Read.All', 'Directory.ReadWrite.All'],
  organizationRead: ['Organization.Read.All', 'Directory.Read.All', 'Organization.ReadWrite.All', 'Directory.ReadWrite.All'],
} as const satisfies Record<string, readonly string[]>;

/** Every application permission the emulator knows, for validating app registrations. */
export const KNOWN_PERMISSIONS: ReadonlySet<string> = new Set(Object.values(PERMISSIONS).flat());
