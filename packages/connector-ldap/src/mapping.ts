/**
 * Attribute mapping for one resource type: `@scimgw/mapper` (the same mapper
 * every configurable connector uses) does SCIM ↔ endpoint record, change
 * lists and filter translation; this module turns LDAP entries into records
 * and record changes into LDAP modifications through the value codecs.
 *
 * Structural attributes stay with the connector: the id (by id strategy),
 * `members` / `groups` (DNs ↔ ids, resolved in batches) and `password`
 * (never read; written with the directory's own mechanism).
 */
import type { Change, SchemaRegistry, ScimResource } from '@scimgw/core';
import type { FilterNode } from '@scimgw/core/filter';
import { formatConfigPath } from '@scimgw/config';
import {
  createMapper,
  type MapConfig,
  type Mapper,
  MapperConfigError,
  mapErrorPath,
  type ResourceMapConfig,
} from '@scimgw/mapper';
import { type ConfigPath, LdapConfigError } from './config.js';
import {
  type AttrCodec,
  codecFor,
  FILETIME_ATTRIBUTES,
  findStored,
  GENERALIZED_TIME_ATTRIBUTES,
  type LdapValue,
  sameValue,
} from './codec.js';
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';
import { FILETIME_NEVER } from './ad/filetime.js';

/** Kind of structural attribute a map key feeds. */
type Structural = 'id' | 'members' | 'groups' | 'password';

/** Options of {@link LdapMapping}. */
export interface LdapMappingOptions {
  /** `User` or `Group`. */
  resourceType: 'User' | 'Group';
  /** JSON path of the section (`['endpoint', 'map', 'user']`), for messages. */
  path: ConfigPath;
  /** Group member attribute: added to a group map that lacks one, so the schema has `members`. */
  memberAttr?: string;
  /** User attribute listing groups: added to a user map that lacks one, so the schema has `groups`. */
  groupsAttr?: string;
  /** Password attribute, when passwords are managed. */
  passwordAttr?: string;
  /** Active Directory: `sAMAccountName` values are written as AD accepts them (see `adAccountName`). */
  activeDirectory?: boolean;
  registry?: SchemaRegistry;
}

const MANAGER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager';

const STRUCTURAL: Record<string, Structural> = {
  id: 'id',
  members: 'members',
  'members.value': 'members',
  groups: 'groups',
  'groups.value': 'groups',
  password: 'password',
};

/** The structural attribute a SCIM path names (lower-case); own entries only, so `constructor` names none. */
function structuralOf(path: string): Structural | undefined {
  return Object.hasOwn(STRUCTURAL, path) ? STRUCTURAL[path] : undefined;
}

/** Prepares a map section for LDAP: date formats by attribute, structural entries present. */
function prepare(section: ResourceMapConfig | undefined, o: LdapMappingOptions): ResourceMapConfig {
  const out: ResourceMapConfig = {};
  for (const [key, raw] of Object.entries(section ?? {})) {
    if (key === 'x-agent-schema' || typeof raw !== 'object' || raw === null) {
      out[key] = raw;
      continue;
    }
    const entry = { ...(raw as Record<string, unknown>) };
    const lc = key.toLowerCase();
    // `manager` is complex in SCIM; its id (`manager.value`) is what maps onto the directory's DN.
    if (typeof entry.mapTo === 'string' && entry.mapTo.trim().toLowerCase() === MANAGER.toLowerCase())
      entry.mapTo = `${MANAGER}.value`;
    if (entry.type === undefined && (FILETIME_ATTRIBUTES.has(lc) || GENERALIZED_TIME_ATTRIBUTES.has(lc))) entry.type = 'datetime';
    // LDAP stores GeneralizedTime (AD: FILETIME for its account times), not ISO strings.
    if (typeof entry.type === 'string' && /^date(time)?$/i.test(entry.type) && entry.format === undefined) {
      entry.format = FILETIME_ATTRIBUTES.has(lc) ? 'fileTime' : 'generalizedTime';
    }
    out[key] = entry;
  }
  const targets = (k: string) => String((out[k] as { mapTo?: unknown } | undefined)?.mapTo ?? '').toLowerCase();
  const has = (what: Structural) =>
    Object.keys(out).some((k) =>
      targets(k)
        .split(',')
        .some((t) => structuralOf(t.trim()) === what),
    );
  if (o.resourceType === 'Group' && o.memberAttr && !has('members'))
    out[o.memberAttr] = { mapTo: 'members.value', type: 'array' };
  if (o.resourceType === 'User' && o.groupsAttr && !has('groups')) out[o.groupsAttr] = { mapTo: 'groups.value', type: 'array' };
  if (o.resourceType === 'User' && o.passwordAttr && !has('password')) out[o.passwordAttr] = { mapTo: 'password' };
  return out;
}

/** One resource type's mapping between LDAP entries and SCIM resources. */
export class LdapMapping {
  readonly mapper: Mapper;
  /** Codecs of the value attributes, by lower-cased name. */
  readonly codecs = new Map<string, AttrCodec>();
  /** Map keys of structural attributes. */
  readonly structural = new Map<Structural, string>();
  private readonly writable = new Set<string>();

  constructor(
    section: ResourceMapConfig | undefined,
    readonly o: LdapMappingOptions,
  ) {
    const map: MapConfig = { [o.resourceType.toLowerCase()]: prepare(section, o) };
    const root = o.path.slice(0, -1);
    const configPath = formatConfigPath(root);
    try {
      this.mapper = createMapper(map, {
        resourceType: o.resourceType,
        configPath,
        // LDAP attribute names may be OIDs (`2.5.4.3`): dots are not nesting.
        nestedEndpointKeys: false,
        ...(o.registry ? { registry: o.registry } : {}),
      });
    } catch (e) {
      if (e instanceof MapperConfigError)
        throw new LdapConfigError([...root, ...mapErrorPath(e, map, configPath)], e.message.replace(`${e.path}: `, ''));
      throw e;
    }
    for (const a of this.mapper.attributes) {
      const kinds = a.targets
        .filter((t) => !t.extension)
        .map((t) => structuralOf((t.sub ? `${t.attr}.${t.sub}` : t.attr).toLowerCase()));
      const structural = kinds.find((k) => k !== undefined);
      if (structural) {
        if (!this.structural.has(structural)) this.structural.set(structural, a.endpoint);
        continue;
      }
      if (a.endpoint !== 'dn' && !/^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*$/.test(a.endpoint)) {
        throw new LdapConfigError([...o.path, a.endpoint], 'is not an LDAP attribute name');
      }
      const raw = (section?.[a.endpoint] ?? {}) as { items?: { type?: string } };
      const isList = a.type === 'array' || a.type === 'complexArray';
      const elemType = a.type === 'array' ? String(raw.items?.type ?? 'string') : a.type;
      this.codecs.set(a.endpoint.toLowerCase(), codecFor(a.endpoint, elemType, isList, o.activeDirectory === true));
      if (!a.readOnly) this.writable.add(a.endpoint.toLowerCase());
    }
  }

  /** The codec of an attribute, if it is a mapped value attribute. */
  codec(attr: string): AttrCodec | undefined {
    return this.codecs.get(attr.toLowerCase());
  }

  /** LDAP attributes to request when reading. */
  readAttributes(): string[] {
    return [...this.codecs.values()].map((c) => c.attr);
  }

  /** Attributes whose values are bytes. */
  binaryAttributes(): string[] {
    return [...this.codecs.values()].filter((c) => c.binary).map((c) => c.attr);
  }

  /** The endpoint record of an entry (value attributes only). */
  toRecord(entry: LdapEntry): Record<string, unknown> {
    const rec: Record<string, unknown> = {};
    for (const c of this.codecs.values()) {
      const decoded = values(entry, c.attr)
        .map((v) => c.decode(v))
        .filter((v) => v !== undefined);
      if (!decoded.length) continue;
      rec[c.attr] = c.list ? decoded : decoded[0];
    }
    return rec;
  }

  /** SCIM attributes of an entry; `undefined` when a value map hides it. */
  toScim(entry: LdapEntry): ScimResource | undefined {
    return this.mapper.toScim(this.toRecord(entry));
  }

  /**
   * LDAP values of a resource for every writable value attribute (an empty
   * list means "clear"), for create and replace. `""` is no value: LDAP has none.
   *
   * @throws InvalidValueError for values a type, value map or codec refuses
   */
  toLdap(resource: ScimResource, current?: LdapEntry): Map<string, { attr: string; values: LdapValue[] }> {
    const rec = this.mapper.toEndpoint(resource);
    const out = new Map<string, { attr: string; values: LdapValue[] }>();
    for (const [key, c] of this.codecs) {
      if (!this.writable.has(key)) continue;
      const list = valuesOf(rec[c.attr]);
      const cur = current ? values(current, c.attr)[0] : undefined;
      out.set(key, { attr: c.attr, values: dedupe(list.map((x) => c.encode(x, cur))) });
    }
    return out;
  }

  /**
   * LDAP modifications for a PATCH change list (structural changes already
   * split off), per value where the mapper allows: adding one value to a
   * multi-valued attribute never rewrites the others.
   *
   * @param entry - the entry as read (for present values and flag words)
   */
  changesToMods(changes: Change[], entry: LdapEntry): Modification[] {
    if (!changes.length) return [];
    const current = this.mapper.needsCurrent(changes) ? this.toScim(entry) : undefined;
    const ec = this.mapper.changesToEndpoint(changes, { current });
    const mods: Modification[] = [];
    const codecOf = (key: string) => (this.writable.has(key.toLowerCase()) ? this.codec(key) : undefined);
    for (const key of ec.clear) {
      const c = codecOf(key);
      if (!c || !values(entry, c.attr).length || c.kind === 'userAccountControl' || c.kind === 'groupType') continue;
      if (c.filetime) {
        // FILETIME attributes are not removable; "never" is their empty value.
        if (c.attr.toLowerCase() === 'accountexpires')
          mods.push({ operation: 'replace', type: c.attr, values: [FILETIME_NEVER.toString()] });
        continue;
      }
      mods.push({ operation: 'delete', type: c.attr, values: [] });
    }
    for (const [key, vals] of Object.entries(ec.remove)) {
      const c = codecOf(key);
      if (!c) continue;
      const stored = values(entry, c.attr);
      const hits = dedupe(
        valuesOf(vals).flatMap((v) => {
          const s = findStored(stored, c.encode(v));
          return s === undefined ? [] : [s];
        }),
      );
      if (hits.length) mods.push({ operation: 'delete', type: c.attr, values: hits });
    }
    for (const [key, v] of Object.entries(ec.set)) {
      const c = codecOf(key);
      if (!c) continue;
      const cur = values(entry, c.attr)[0];
      const list = dedupe(valuesOf(v).map((x) => c.encode(x, cur)));
      const stored = values(entry, c.attr);
      const same = list.length === stored.length && list.every((x) => stored.some((s) => sameValue(s, x)));
      if (!same)
        mods.push(
          list.length ? { operation: 'replace', type: c.attr, values: list } : { operation: 'delete', type: c.attr, values: [] },
        );
    }
    for (const [key, vals] of Object.entries(ec.add)) {
      const c = codecOf(key);
      if (!c) continue;
      const stored = values(entry, c.attr);
      const fresh = dedupe(
        valuesOf(vals)
          .map((x) => c.encode(x))
          .filter((x) => findStored(stored, x) === undefined),
      );
      if (fresh.length) mods.push({ operation: 'add', type: c.attr, values: fresh });
    }
    return mods;
  }

  /** LDAP attributes behind a SCIM path (`userName` → `uid`). */
  attributesFor(scimPath: string): string[] {
    return this.mapper.endpointAttributesFor(scimPath).filter((k) => this.codecs.has(k.toLowerCase()));
  }

  /** The SCIM attribute an LDAP attribute is mapped to, as the map writes it (`emails.work.value`). */
  scimPathOf(attr: string): string | undefined {
    const lc = attr.toLowerCase();
    return this.mapper.attributes.find((a) => a.endpoint.toLowerCase() === lc)?.targets[0]?.text;
  }

  /** Whether a writable LDAP attribute holds `scimPath` (e.g. `active`). */
  canWrite(scimPath: string): boolean {
    return this.attributesFor(scimPath).some((k) => this.writable.has(k.toLowerCase()));
  }

  /** SCIM paths clients may filter on. */
  filterPaths(): string[] {
    return this.mapper.scimPaths();
  }

  /** The mapper's endpoint filter for a SCIM filter node. */
  translate(node: FilterNode) {
    return this.mapper.translateFilter(node);
  }
}

/**
 * The values of a record value as a list. `""` is no value, as the mapper reads it: LDAP has no
 * empty value (a Directory String needs one character; slapd refuses `""` with 21
 * invalidAttributeSyntax, failing the whole write), so a client's `"title": ""` leaves the
 * attribute out of an add and removes it on a replace, as `null` does.
 */
function valuesOf(v: unknown): unknown[] {
  const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
  return list.filter((x) => x !== '' && x !== null && x !== undefined);
}

function dedupe(list: LdapValue[]): LdapValue[] {
  const out: LdapValue[] = [];
  for (const v of list) if (!out.some((x) => sameValue(x, v))) out.push(v);
  return out;
}
