/**
 * The Microsoft Graph application permission each operation of the connector needs (least
 * privileged first, then a broader one that also works), from the "Permissions" sections of the
 * Graph v1.0 API reference. Used to name the missing permission when Graph answers
 * `Authorization_RequestDenied`, and listed in the README.
 */

/** Operations the connector sends to Graph. */
export const GRAPH_PERMISSIONS = {
  'users.read': ['User.Read.All', 'Directory.Read.All'],
  'users.write': ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  'users.password': ['User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All'],
  'users.delete': ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  'users.manager': ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  'users.memberOf': ['GroupMember.Read.All', 'Directory.Read.All'],
  'groups.read': ['GroupMember.Read.All', 'Group.Read.All'],
  'groups.create': ['Group.Create', 'Group.ReadWrite.All'],
  'groups.write': ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  'groups.members': ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All'],
  'roles.read': ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory'],
  'roles.assign': ['RoleManagement.ReadWrite.Directory'],
  'eligibility.read': ['RoleEligibilitySchedule.Read.Directory', 'RoleManagement.Read.Directory'],
  'eligibility.write': ['RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'],
  'accessPackages.read': ['EntitlementManagement.Read.All', 'EntitlementManagement.ReadWrite.All'],
  'accessPackages.assign': ['EntitlementManagement.ReadWrite.All'],
  'licenses.read': ['LicenseAssignment.Read.All', 'Organization.Read.All'],
  'users.licenses': ['User.Read.All', 'LicenseAssignment.Read.All'],
} as const satisfies Record<string, readonly string[]>;

/** An operation key of {@link GRAPH_PERMISSIONS}. */
export type GraphOperation = keyof typeof GRAPH_PERMISSIONS;

/** "User.ReadWrite.All (or Directory.ReadWrite.All)". */
export function permissionText(op: GraphOperation): string {
  const [least, ...more] = GRAPH_PERMISSIONS[op];
  return more.length ? `${least} (or ${more.join(', ')})` : String(least);
}
