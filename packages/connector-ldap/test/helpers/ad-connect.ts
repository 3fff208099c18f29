/**
 * An admin connection to a domain controller, and one entry read through it: what the Samba DC
 * (samba.ts) and every AD target (ad-target.ts) offer their tests.
 */
import { Client, type Entry } from 'ldapts';

export interface AdConnectSpec {
  urls: readonly string[];
  caPem?: string | undefined;
  adminDn: string;
  adminPassword: string;
}

export interface AdConnection {
  /** A bound client as the admin account, on the first URL (the caller unbinds). */
  admin(): Promise<Client>;
  /** One entry read as the admin account (objectGUID as bytes); `undefined` when it does not exist. */
  read(dn: string, attributes: string[]): Promise<Entry | undefined>;
}

export function connectTo(spec: AdConnectSpec): AdConnection {
  const admin = async () => {
    const c = new Client({
      url: spec.urls[0] as string,
      ...(spec.caPem ? { tlsOptions: { ca: [spec.caPem] } } : {}),
      timeout: 30_000,
      strictDN: false,
    });
    await c.bind(spec.adminDn, spec.adminPassword);
    return c;
  };
  return {
    admin,
    async read(dn, attributes) {
      const c = await admin();
      try {
        return (await c.search(dn, { scope: 'base', attributes, explicitBufferAttributes: ['objectGUID'] })).searchEntries[0];
      } catch (e) {
        if ((e as { code?: number }).code === 32) return undefined;
        throw e;
      } finally {
        await c.unbind();
      }
    },
  };
}
