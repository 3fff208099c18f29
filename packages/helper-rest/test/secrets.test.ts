/**
 * Runs every credential-bearing flow with a logger that records all levels,
 * against servers that echo credentials back in bodies and errors, then greps
 * the complete log output (and thrown error messages) for every secret used.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AuthConfig, createHelperRest, type HelperRest } from '../src/index.js';
import { captureLogger, FAST_RETRY, json, startProxy, startServer, type TestProxy, type TestServer } from './helpers.js';

const SECRETS = {
  basicPassword: 'basic-Pa55word!',
  bearerToken: 'static-bearer-token-123',
  clientSecret: 'oauth client secret/with+chars',
  accessToken: 'issued-access-token-abc',
  refreshToken: 'issued-refresh-token-def',
  proxyPassword: 'proxy-Pa55word',
  inbound: 'Bearer inbound-client-jwt-xyz',
  userPassword: 'NewUser-Passw0rd',
  apiKey: 'api-key-value-987',
  samlXml: '<saml2:Assertion ID="secret-saml-assertion-body"/>',
};

let api: TestServer;
let idp: TestServer;
let proxy: TestProxy;
let rest: HelperRest;
const logger = captureLogger();
const ctxLogger = captureLogger();
const thrown: string[] = [];
let tokenCalls = 0;

beforeAll(async () => {
  // Echoes everything it receives, including credentials, and fails on /fail.
  api = await startServer((req, res, body) => {
    const echo = { authorization: req.headers.authorization, apiKey: req.headers['x-api-key'], body };
    if (req.url?.startsWith('/fail')) return json(res, 400, { error: { message: `rejected ${JSON.stringify(echo)}` } });
    if (req.url === '/expire' && req.headers.authorization === `Bearer ${SECRETS.accessToken}`) return json(res, 401, {});
    json(res, 200, echo);
  });
  // Issues a token the first time, a different one later; echoes the secret on bad requests.
  idp = await startServer((_req, res, body) => {
    const f = new URLSearchParams(body);
    if (f.get('grant_type') === 'urn:ietf:params:oauth:grant-type:saml2-bearer')
      return json(res, 200, { access_token: 'saml-issued-token', expires_in: 60 });
    tokenCalls++;
    if (f.get('client_secret') !== SECRETS.clientSecret)
      return json(res, 400, { error: 'invalid_client', error_description: `secret ${f.get('client_secret')} is wrong` });
    json(res, 200, {
      access_token: tokenCalls === 1 ? SECRETS.accessToken : `${SECRETS.accessToken}-2`,
      refresh_token: SECRETS.refreshToken,
      expires_in: 3600,
    });
  });
  proxy = await startProxy('proxyuser', SECRETS.proxyPassword);
  const conn = (auth: AuthConfig, extra: Record<string, unknown> = {}) => ({
    connection: { baseUrls: [api.url], retry: FAST_RETRY, auth, options: { headers: { 'x-api-key': SECRETS.apiKey } }, ...extra },
  });
  rest = createHelperRest({
    logger,
    endpoint: {
      entity: {
        basic: conn(
          { type: 'basic', options: { username: 'gwadmin', password: SECRETS.basicPassword } },
          {
            proxy: { host: proxy.url, username: 'proxyuser', password: SECRETS.proxyPassword },
          },
        ),
        bearer: conn({ type: 'bearer', options: { token: SECRETS.bearerToken } }),
        oauth: conn({
          type: 'oauth',
          options: { tokenUrl: `${idp.url}/token`, clientId: 'app', clientSecret: SECRETS.clientSecret },
        }),
        badoauth: conn({
          type: 'oauth',
          options: { tokenUrl: `${idp.url}/token`, clientId: 'app', clientSecret: `${SECRETS.clientSecret}-wrong` },
        }),
        pass: conn({ type: 'passThrough' }),
        saml: conn({ type: 'oauthSamlBearer', options: { tokenUrl: `${idp.url}/token`, assertion: SECRETS.samlXml } }),
      },
    },
  });
});

afterAll(async () => {
  await rest.close();
  await Promise.all([api.close(), idp.close(), proxy.close()]);
});

async function run(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    thrown.push(`${(e as Error).message} ${String((e as Error).cause ?? '')}`);
  }
}

it('no secret appears in any log line or error message', async () => {
  const user = { userName: 'new.user', password: SECRETS.userPassword };
  for (const tenant of ['basic', 'bearer', 'oauth', 'saml']) {
    await run(rest.doRequest(tenant, 'POST', '/Users', user));
    await run(rest.doRequest(tenant, 'POST', '/fail', user));
  }
  await run(rest.doRequest('oauth', 'GET', '/expire')); // 401 → refresh → second token
  await run(rest.doRequest('badoauth', 'GET', '/x')); // token endpoint echoes the wrong secret
  await run(rest.doRequest('pass', 'GET', '/fail', undefined, { authorization: SECRETS.inbound }));
  await run(rest.doRequest('pass', 'GET', '/ok', undefined, { authorization: SECRETS.inbound, log: ctxLogger, requestId: 'r1' }));
  await run(rest.doRequest('basic', 'GET', `/fail?access_token=${SECRETS.bearerToken}`));

  // The flows really ran: tokens were fetched, the proxy was used, errors were logged.
  expect(tokenCalls).toBeGreaterThanOrEqual(3);
  expect(proxy.forwarded.length).toBeGreaterThan(0);
  expect(thrown.length).toBeGreaterThanOrEqual(5);
  expect(logger.lines.filter((l) => l.level === 'debug').length).toBeGreaterThan(10);
  expect(ctxLogger.lines.length).toBeGreaterThan(0);

  const output = [logger.text(), ctxLogger.text(), ...thrown].join('\n');
  const forms = (s: string) => [s, encodeURIComponent(s), new URLSearchParams({ v: s }).toString().slice(2)];
  const needles = [
    ...Object.values(SECRETS).flatMap(forms),
    Buffer.from(`gwadmin:${SECRETS.basicPassword}`).toString('base64'),
    Buffer.from(`proxyuser:${SECRETS.proxyPassword}`).toString('base64'),
    Buffer.from(SECRETS.samlXml).toString('base64url'),
    'inbound-client-jwt-xyz',
  ];
  for (const n of needles) expect(output, `leaked: ${n}`).not.toContain(n);
  expect(output).toContain('[REDACTED]');
});
