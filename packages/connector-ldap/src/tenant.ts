/**
 * Everything one tenant (`baseEntity`) needs at request time: its settings,
 * connection pool, compiled mappings, id codec and resolver, and the entry
 * lookups users and groups share.
 */
import type { ConnectionOptions } from 'node:tls';
import { type Logger, type ResourceTypeDefinition, SchemaRegistry, type ScimResource } from '@scimgw/core';
import { formatConfigPath } from '@scimgw/config';
import { LdapConfigError } from './config.js';
import type { ResolvedSettings } from './settings.js';
import { type Dn, dnKey, isWithin } from './dn.js';
import { Directory } from './directory.js';
import { first, type LdapEntry } from './entry.js';
import { and, eq, type LdapFilter } from './filter.js';
import { IdCache } from './id-cache.js';
import { IdCodec, IdResolver, type ResolveScope, tryParseDn } from './ids.js';
import { warnIfNoDeactivation } from './deactivation.js';
import { LdapMapping } from './mapping.js';
import { parseDate } from '@scimgw/mapper';
import { type ClientFactory, LdapPool } from './pool.js';
import { fromEndpoint } from './translate.js';
import type { SortKey } from './controls/sort.js';
import { PageWindows } from './window.js';
import { type RequiredRules, requiredRules } from './required.js';

/** Which side of the directory. */
export type Kind = 'user' | 'group';

/** The structural object class a default filter selects on (the most specific one listed). */
function structuralClass(classes: string[]): string {
  return [...classes].reverse().find((c) => c.toLowerCase() !== 'top') ?? 'top';
}

/**
 * The user and group mappings of a tenant's settings, each checked (the mapper's own checks,
 * LDAP attribute names, a userName and a displayName mapped).
 *
 * @throws LdapConfigError naming the map entry at fault
 */
export function tenantMappings(s: ResolvedSettings): { users: LdapMapping; groups: LdapMapping } {
  const users = new LdapMapping(s.map.user, {
    resourceType: 'User',
    path: [...s.mapPath, 'user'],
    groupsAttr: s.memberOfAttribute ?? 'memberOf',
    activeDirectory: s.isActiveDirectory,
    ...(s.passwordAttribute ? { passwordAttr: s.passwordAttribute } : {}),
  });
  const groups = new LdapMapping(s.map.group, {
    resourceType: 'Group',
    path: [...s.mapPath, 'group'],
    memberAttr: s.memberAttribute,
    activeDirectory: s.isActiveDirectory,
  });
  if (!users.attributesFor('userName').length)
    throw new LdapConfigError([...s.mapPath, 'user'], 'must map an LDAP attribute to userName');
  if (!groups.attributesFor('displayName').length)
    throw new LdapConfigError([...s.mapPath, 'group'], 'must map an LDAP attribute to displayName');
  return { users, groups };
}

/** One tenant's runtime. */
export class Tenant {
  readonly dir: Directory;
  readonly users: LdapMapping;
  readonly groups: LdapMapping;
  readonly codec: IdCodec;
  readonly resolver: IdResolver;
  readonly userFilter: LdapFilter;
  readonly groupFilter: LdapFilter;
  /** LDAP attribute of a group's members. */
  readonly memberAttr: string;
  /** LDAP attribute listing a user's groups, if the directory keeps one. */
  readonly memberOfAttr: string | undefined;
  /** Password attribute (`unicodePwd` on AD), if passwords are mapped. */
  readonly passwordAttr: string | undefined;
  /**
   * Operational attribute the directory renews on every change of an entry
   * (OpenLDAP's `entryCSN`), read with groups so their kept member ids are
   * reused only while the group is unchanged. Not on Active Directory, whose
   * `uSNChanged` differs between domain controllers.
   */
  readonly groupStamp: string | undefined;
  /** Timestamps that become `meta.created` / `meta.lastModified`. */
  readonly metaAttrs: { created: string; lastModified: string };
  /** Required user attributes and the SCIM paths that fill them. */
  readonly required: RequiredRules;
  /** Pages of list results (VLV, or DN snapshots). */
  readonly windows: PageWindows;
  /** VLV sort key per kind. */
  readonly sortKeys: Record<Kind, SortKey[]>;
  /**
   * Whether the base filter hides exactly what the mapping hides (a value-map allowlist the
   * LDAP filter expresses exactly), so counts from the directory are counts of SCIM resources.
   */
  readonly exactVisibility: Record<Kind, boolean>;

  /** The schemas clients see (generated from the mapping); set by {@link Tenant.bind}. */
  registry: SchemaRegistry = new SchemaRegistry();
  userRt: ResourceTypeDefinition = this.registry.resourceType('User') as ResourceTypeDefinition;
  groupRt: ResourceTypeDefinition = this.registry.resourceType('Group') as ResourceTypeDefinition;

  constructor(
    readonly s: ResolvedSettings,
    readonly log: Logger,
    clientFactory?: ClientFactory,
  ) {
    this.memberAttr = s.memberAttribute;
    this.memberOfAttr = s.memberOfAttribute;
    this.groupStamp = s.isActiveDirectory ? undefined : 'entryCSN';
    ({ users: this.users, groups: this.groups } = tenantMappings(s));
    warnIfNoDeactivation(this.users, s.mapPath, log);
    this.passwordAttr = this.users.structural.get('password');
    this.required = requiredRules(s.requiredAttributes, s.objectClasses.user, s.isActiveDirectory);
    this.metaAttrs = s.isActiveDirectory
      ? { created: 'whenCreated', lastModified: 'whenChanged' }
      : { created: 'createTimestamp', lastModified: 'modifyTimestamp' };
    this.codec = new IdCodec(s.idStrategy);
    const tls: ConnectionOptions = {
      ...(s.tls.ca ? { ca: s.tls.ca } : {}),
      ...(s.tls.cert ? { cert: s.tls.cert } : {}),
      ...(s.tls.key ? { key: s.tls.key } : {}),
      rejectUnauthorized: s.tls.rejectUnauthorized,
      ...(s.tls.servername ? { servername: s.tls.servername } : {}),
    };
    const pool = new LdapPool({
      urls: s.urls,
      bindDn: s.bindDn,
      password: s.password,
      startTls: s.startTls,
      tls,
      size: s.poolSize,
      lanes: s.pagingConnections,
      timeoutMs: s.timeoutMs,
      connectTimeoutMs: s.connectTimeoutMs,
      log,
      clientFactory,
      configPath: formatConfigPath(s.path),
      bindRetryMs: s.retryAfterSeconds * 1000,
    });
    this.dir = new Directory(pool, {
      pageSize: s.pageSize,
      retryAfter: s.retryAfterSeconds,
      log,
      attributes: {
        names: [
          ...this.users.readAttributes(),
          ...this.groups.readAttributes(),
          ...[...this.required.values()].map((r) => r.attr),
        ],
        scimOf: (attr) => this.users.scimPathOf(attr) ?? this.groups.scimPathOf(attr),
      },
    });
    const oc = (k: Kind) => eq('objectClass', structuralClass(k === 'user' ? s.objectClasses.user : s.objectClasses.group));
    // Value-map allowlists (e.g. only some groups by name) become part of the base filter, so
    // hidden entries are never read, counted or paged.
    const exact: Record<Kind, boolean> = { user: true, group: true };
    const visible = (m: LdapMapping, kind: Kind): LdapFilter[] => {
      const v = m.mapper.visibilityFilter();
      const tr = v ? fromEndpoint(v, m, false, s.isActiveDirectory) : undefined;
      if (v && !(tr?.kind === 'filter' && tr.exact)) exact[kind] = false;
      return tr?.kind === 'filter' && tr.exact ? [tr.filter] : [];
    };
    this.userFilter = and(
      s.userFilter ?? (s.isActiveDirectory ? and(eq('objectCategory', 'person'), eq('objectClass', 'user')) : oc('user')),
      ...visible(this.users, 'user'),
    );
    this.groupFilter = and(s.groupFilter ?? oc('group'), ...visible(this.groups, 'group'));
    this.exactVisibility = exact;
    // Text attributes rarely have an ORDERING rule of their own (uid, cn): name one. AD sorts by its own rules.
    const defaultKey = (attr: string | undefined): SortKey[] =>
      attr ? [{ attributeType: attr, ...(s.isActiveDirectory ? {} : { orderingRule: 'caseIgnoreOrderingMatch' }) }] : [];
    this.sortKeys = {
      user: s.sortAttribute.user ? [s.sortAttribute.user] : defaultKey(this.users.attributesFor('userName')[0]),
      group: s.sortAttribute.group ? [s.sortAttribute.group] : defaultKey(this.groups.attributesFor('displayName')[0]),
    };
    this.windows = new PageWindows(this.dir, {
      snapshotMs: s.listSnapshotSeconds * 1000,
      vlv: s.vlv,
      dnAttribute: s.dnAttribute,
      windowMax: s.pageSize,
      retryAfter: s.retryAfterSeconds,
      log,
    });
    // Lookups expecting more entries than a plain search comfortably returns are paged at once,
    // in one page where the server allows it.
    this.resolver = new IdResolver(
      this.codec,
      s.dnAttribute,
      (base, filter, attributes, binary, expected) =>
        this.dir.search(
          {
            base,
            filter,
            attributes,
            binary,
            large: expected > 200,
            pageSize: Math.min(Math.max(s.pageSize, expected + 1), 10_000),
          },
          'resolve references',
        ),
      200,
      new IdCache(s.idCacheSeconds * 1000, this.dir.writes),
    );
  }

  /** Uses the connector's registry (with the generated schemas) for change application and filters. */
  bind(registry: SchemaRegistry): void {
    this.registry = registry;
    this.userRt = registry.resourceType('User') as ResourceTypeDefinition;
    this.groupRt = registry.resourceType('Group') as ResourceTypeDefinition;
  }

  base(kind: Kind): Dn {
    return kind === 'user' ? this.s.userBase : this.s.groupBase;
  }

  filter(kind: Kind): LdapFilter {
    return kind === 'user' ? this.userFilter : this.groupFilter;
  }

  mapping(kind: Kind): LdapMapping {
    return kind === 'user' ? this.users : this.groups;
  }

  /** Scope for resolving references to users, groups, or either. */
  scope(kinds: Kind[]): ResolveScope {
    return { bases: kinds.map((k) => this.base(k)), filters: kinds.map((k) => this.filter(k)) };
  }

  /** Attributes read for an entry of this kind (mapped values, id, naming, timestamps). */
  readAttributes(kind: Kind, withMembers: boolean): string[] {
    const set = new Set<string>([
      ...this.mapping(kind).readAttributes(),
      ...this.codec.attributes(),
      ...this.s.naming[kind].map((n) => n.attribute),
      this.metaAttrs.created,
      this.metaAttrs.lastModified,
    ]);
    if (kind === 'group' && withMembers) set.add(this.memberAttr);
    if (kind === 'group' && this.groupStamp) set.add(this.groupStamp);
    if (kind === 'user' && this.memberOfAttr) set.add(this.memberOfAttr);
    return [...set];
  }

  binaryAttributes(kind: Kind): string[] {
    return [...new Set([...this.mapping(kind).binaryAttributes(), ...this.codec.binary()])];
  }

  /** Finds the entry of a SCIM id inside the kind's base and filter; `undefined` when absent or malformed. */
  async find(kind: Kind, id: string, attributes: string[], what: string): Promise<LdapEntry | undefined> {
    if (typeof id !== 'string' || !this.codec.valid(id)) return undefined;
    const base = this.base(kind);
    if (this.codec.strategy === 'dn') {
      const dn = tryParseDn(id) as Dn;
      // An id outside the configured base is not ours, whatever the directory holds there.
      if (!isWithin(dn, base) || dnKey(dn) === dnKey(base)) return undefined;
      return this.dir.read(dn, this.filter(kind), attributes, this.binaryAttributes(kind), what);
    }
    const idFilter = this.codec.filter(id, this.s.dnAttribute) as LdapFilter;
    const found = await this.dir.search(
      { base, filter: and(this.filter(kind), idFilter), attributes, binary: this.binaryAttributes(kind), sizeLimit: 2 },
      what,
    );
    return found[0];
  }

  /** `meta` of an entry from its operational timestamps. */
  meta(entry: LdapEntry): ScimResource['meta'] {
    const created = first(entry, this.metaAttrs.created);
    const modified = first(entry, this.metaAttrs.lastModified);
    const meta: Record<string, unknown> = {};
    const c = created === undefined ? undefined : parseDate(created);
    const m = modified === undefined ? undefined : parseDate(modified);
    if (c) meta.created = c.toISOString();
    if (m) meta.lastModified = m.toISOString();
    return Object.keys(meta).length ? meta : undefined;
  }

  /** True for the placeholder member of otherwise empty groups. */
  isPlaceholder(dn: string): boolean {
    const p = this.s.placeholderMemberDn;
    if (!p) return false;
    try {
      return dnKey(dn) === dnKey(p);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.dir.pool.close();
  }
}
