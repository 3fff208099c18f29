/**
 * A service account the directory refuses (a wrong password, against slapd): the startup check
 * says so once, naming the settings to check and no secret, and the gateway still starts; every
 * request answers 503 with Retry-After (never 500), the directory is asked again at most once per
 * `retryAfterSeconds`, and once the directory accepts the account the requests succeed without a
 * restart.
 */
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@scimgw/core';
import { createConnector, type LdapConnector } from '../src/index.js';
import type { ClientFactory } from '../src/pool.js';
import { endpointConfig, enc, scim } from './helpers/config.js';
import { ADMIN_DN, ADMIN_PW, HAVE_SLAPD, type Slapd, startSlapd, SUFFIX } from './helpers/slapd.js';

const SVC_DN = `cn=svc-refused,${SUFFIX}`;
const CONFIGURED = 'Configured-S3cret-pw';

let slapd: Slapd;
beforeAll(async () => {
  if (!HAVE_SLAPD) return;
  slapd = await startSlapd();
  // The account exists, with another password than the gateway is configured with.
  await slapd.ldapadd(`dn: ${SVC_DN}\nobjectClass: person\ncn: svc-refused\nsn: svc\nuserPassword: other-password\n`);
});
afterAll(async () => {
  await slapd?.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger that keeps every line, level first. */
function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
    };
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** Counts binds, the directory's own view of what a refused account costs. */
function countingBinds(count: { binds: number }): ClientFactory {
  return (o) => {
    const c = new Client(o);
    const bind = c.bind.bind(c);
    c.bind = (...a: Parameters<Client['bind']>) => {
      count.binds++;
      return bind(...a);
    };
    return c;
  };
}

async function setPassword(password: string): Promise<void> {
  const c = new Client({ url: slapd.url, timeout: 10_000 });
  try {
    await c.bind(ADMIN_DN, ADMIN_PW);
    await c.modify(
      SVC_DN,
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [password] }) }),
    );
  } finally {
    await c.unbind();
  }
}

describe.skipIf(!HAVE_SLAPD)("the directory refuses the service account's password", () => {
  it('the gateway starts; the startup check logs one error naming the settings to check, no secret', async () => {
    const { log, lines } = recorder();
    const connector = (await createConnector({
      config: endpointConfig(slapd, { username: SVC_DN, password: CONFIGURED }),
      baseDir: process.cwd(),
      log,
    } as Parameters<typeof createConnector>[0])) as LdapConnector;
    try {
      const errors = lines.filter((l) => l.startsWith('error '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(
        `ldap: the directory refused the bind of the service account "${SVC_DN}" (49 invalidCredentials): check endpoint.entity.undefined.ldap.username and endpoint.entity.undefined.ldap.password`,
      );
      expect(lines.some((l) => l.startsWith('warn ldap: starting anyway; requests answer 503'))).toBe(true);
      expect(lines.join('\n')).not.toContain(CONFIGURED);
    } finally {
      await connector.close?.();
    }
  });

  it('requests answer 503 with Retry-After, one bind per retryAfterSeconds at most, and succeed once the directory accepts the account', async () => {
    const { log, lines } = recorder();
    const count = { binds: 0 };
    const env = scim(
      slapd,
      { username: SVC_DN, password: CONFIGURED, retryAfterSeconds: 1 },
      { log, clientFactory: countingBinds(count) },
    );
    try {
      const requests = () =>
        Promise.all([
          env.call('GET', '/Users?filter=userName%20eq%20%22nobody%22'),
          env.call('GET', '/Users?startIndex=1&count=5'),
          env.call('GET', `/Users/${enc('00000000-0000-0000-0000-000000000000')}`),
          env.call('POST', '/Users', { userName: 'refused-create' }),
          env.call('GET', '/Groups'),
        ]);
      for (const r of [...(await requests()), ...(await requests())]) {
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.headers['retry-after']).toBe('1');
        expect(r.body.detail).toBe('The gateway cannot sign in to the directory; try again later');
      }
      // Ten requests, one refused bind: the others wait for the hold-off instead of binding.
      expect(count.binds).toBe(1);
      expect(lines.filter((l) => l.startsWith('error '))).toHaveLength(1);
      // Nothing about the refusal above warning level but that one line, and no 500 anywhere.
      expect(lines.filter((l) => l.startsWith('warn '))).toEqual([]);

      await sleep(1_100);
      expect((await env.call('GET', '/Users')).status).toBe(503);
      expect(count.binds).toBe(2);

      // An operator gives the account the configured password: no restart needed.
      await setPassword(CONFIGURED);
      await sleep(1_100);
      const ok = await env.call('GET', `/Users?filter=${enc('userName eq "nobody"')}`);
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(lines.some((l) => l.startsWith('info ldap: the directory accepts the service account again'))).toBe(true);
      expect(lines.join('\n')).not.toContain(CONFIGURED);
    } finally {
      await setPassword('other-password');
      await env.connector.close?.();
    }
  });
});
