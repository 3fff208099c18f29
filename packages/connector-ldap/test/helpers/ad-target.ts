/**
 * An Active Directory domain controller to run the AD suite (helpers/ad-suite.ts) against: the
 * Samba DC these tests start (helpers/samba.ts), or, opt-in, a real one named by the environment:
 *
 *   SCIMGW_AD_URL          ldaps://dc1.corp.example.com:636 (several, comma-separated, for failover)
 *   SCIMGW_AD_BIND_DN      an account that may create and delete objects under SCIMGW_AD_BASE
 *   SCIMGW_AD_PASSWORD     its password
 *   SCIMGW_AD_BASE         an OU (or container) the suite makes an OU of its own in, and removes
 *   SCIMGW_AD_CA           optional: a PEM file of the CA that signed the DC's certificate
 *   SCIMGW_AD_UPN_SUFFIX   optional: the userPrincipalName suffix (default: the base's DC= parts)
 *
 * Every object the suite makes carries a random prefix, so it meets no account of the domain
 * (sAMAccountName is unique domain-wide), and lives under `OU=scimgw-test-<prefix>`, which is
 * deleted with all it holds at the end.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Attribute } from 'ldapts';
import type { LdapSettingsConfig } from '../../src/index.js';
import { type AdConnection, connectTo } from './ad-connect.js';
import { SAMBA_ADMIN_DN, SAMBA_ADMIN_PW, SAMBA_BASE, type SambaDc } from './samba.js';

/** `admin()` and `read()` act as the admin account, over LDAPS. */
export interface AdTarget extends AdConnection {
  /** `samba`: the DC these tests start; `env`: the one the environment names. */
  kind: 'samba' | 'env';
  /** The LDAPS URL(s) the connector uses. */
  urls: string[];
  /** The same DC over ldap:// (port 389), for StartTLS and the plain bind. */
  plainUrl: string;
  caFile?: string;
  caPem?: string;
  adminDn: string;
  adminPassword: string;
  usersOu: string;
  groupsOu: string;
  upnSuffix: string;
  /** Starts every name the suite gives an object: lowercase letters and digits, 6 characters. */
  prefix: string;
  /** Removes what the suite made (and stops the Samba DC). */
  stop(): Promise<void>;
}

const randomPrefix = () => `sg${randomBytes(2).toString('hex')}`;

/**
 * The Samba DC of helpers/samba.ts as a target, in an OU of the run's own as a real DC would be
 * (so that path runs on every test run too); `stop` removes the OU, then stops the DC.
 */
export async function sambaTarget(dc: SambaDc): Promise<AdTarget> {
  const base = {
    kind: 'samba' as const,
    urls: [dc.ldapsUrl],
    plainUrl: `ldap://${dc.host}:389`,
    caFile: dc.caFile,
    caPem: dc.caPem,
    adminDn: SAMBA_ADMIN_DN,
    adminPassword: SAMBA_ADMIN_PW,
    upnSuffix: 'scimgw.test',
  };
  try {
    const t = await inRunOu(base, SAMBA_BASE);
    return {
      ...t,
      async stop() {
        try {
          await t.stop();
        } finally {
          await dc.stop();
        }
      },
    };
  } catch (e) {
    await dc.stop();
    throw e;
  }
}

/** The environment's names for a real DC, or `undefined` when they are not all set. */
export function adEnvironment(env: NodeJS.ProcessEnv = process.env) {
  const { SCIMGW_AD_URL, SCIMGW_AD_BIND_DN, SCIMGW_AD_PASSWORD, SCIMGW_AD_BASE } = env;
  if (!SCIMGW_AD_URL || !SCIMGW_AD_BIND_DN || !SCIMGW_AD_PASSWORD || !SCIMGW_AD_BASE) return undefined;
  return {
    urls: SCIMGW_AD_URL.split(',').map((u) => u.trim()),
    bindDn: SCIMGW_AD_BIND_DN,
    password: SCIMGW_AD_PASSWORD,
    base: SCIMGW_AD_BASE,
    caFile: env.SCIMGW_AD_CA || undefined,
    upnSuffix: env.SCIMGW_AD_UPN_SUFFIX || undefined,
  };
}

/** `DC=corp,DC=example,DC=com` somewhere in `dn` → `corp.example.com`. */
export function dnsDomainOf(dn: string): string {
  return [...dn.matchAll(/(?:^|,)\s*DC=([^,]+)/gi)].map((m) => m[1]).join('.');
}

/** The ldap:// URL of the DC an ldaps:// (or ldap://) URL names: same host, port 389. */
export function plainUrlOf(url: string): string {
  const u = new URL(url);
  return `ldap://${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:389`;
}

/**
 * The DC the environment names, with an OU of this run's own (`OU=scimgw-test-<prefix>`, holding
 * `OU=Users` and `OU=Groups`) made under SCIMGW_AD_BASE.
 */
export async function envTarget(): Promise<AdTarget> {
  const e = adEnvironment();
  if (!e) throw new Error('SCIMGW_AD_URL, SCIMGW_AD_BIND_DN, SCIMGW_AD_PASSWORD and SCIMGW_AD_BASE must all be set');
  return inRunOu(
    {
      kind: 'env',
      urls: e.urls,
      plainUrl: plainUrlOf(e.urls[0] as string),
      ...(e.caFile ? { caFile: e.caFile, caPem: readFileSync(e.caFile, 'utf8') } : {}),
      adminDn: e.bindDn,
      adminPassword: e.password,
      upnSuffix: e.upnSuffix ?? dnsDomainOf(e.base),
    },
    e.base,
  );
}

/** Makes `OU=scimgw-test-<prefix>` with `OU=Users` and `OU=Groups` under `base`; `stop` deletes it all. */
async function inRunOu(
  spec: Omit<AdTarget, 'admin' | 'read' | 'stop' | 'usersOu' | 'groupsOu' | 'prefix'>,
  base: string,
): Promise<AdTarget> {
  const prefix = randomPrefix();
  const root = `OU=scimgw-test-${prefix},${base}`;
  const full = { ...spec, prefix, usersOu: `OU=Users,${root}`, groupsOu: `OU=Groups,${root}` };
  const conn = connectTo(full);
  const c = await conn.admin();
  try {
    for (const [dn, ou] of [
      [root, `scimgw-test-${prefix}`],
      [full.usersOu, 'Users'],
      [full.groupsOu, 'Groups'],
    ] as const) {
      await c.add(dn, [
        new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] }),
        new Attribute({ type: 'ou', values: [ou] }),
      ]);
    }
  } finally {
    await c.unbind();
  }
  return { ...full, ...conn, stop: () => removeTree(conn, root) };
}

/** Deletes `root` and everything under it, deepest entries first. */
export async function removeTree(conn: Pick<AdTarget, 'admin'>, root: string): Promise<void> {
  const c = await conn.admin();
  try {
    const { searchEntries } = await c.search(root, { scope: 'sub', attributes: ['1.1'], paged: { pageSize: 500 } });
    const depth = (dn: string) => dn.split(/(?<!\\),/).length;
    for (const dn of searchEntries.map((x) => x.dn).sort((a, b) => depth(b) - depth(a))) await c.del(dn);
  } catch (e) {
    if ((e as { code?: number }).code !== 32) throw e;
  } finally {
    await c.unbind();
  }
}

/** The connector settings that point the documented configuration at `t`. */
export function targetSettings(t: AdTarget): Partial<LdapSettingsConfig> {
  return {
    baseUrls: t.urls,
    // The documented configuration names a CA file of its own: the target's, or the system's CAs.
    tls: t.caFile ? { ca: t.caFile } : undefined,
    username: t.adminDn,
    password: t.adminPassword,
    userBase: t.usersOu,
    groupBase: t.groupsOu,
  };
}
