import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSasToken, parseSasToken, RelayServiceError, type SasRequirement, verifySasToken } from '../src/index.js';
import { hyco } from './helpers/hyco.js';

const NOW = Date.UTC(2026, 0, 1);
const KEY = { name: 'RootManageSharedAccessKey', key: 'a2V5LWZvci1zYXMtdGVzdHM=' };
const requirement = (overrides: Partial<SasRequirement> = {}): SasRequirement => ({
  namespaceHost: 'contoso.servicebus.windows.net',
  entityPath: 'hyco',
  right: 'Listen',
  keys: [KEY],
  now: NOW,
  ...overrides,
});
const inAnHour = NOW / 1000 + 3600;

function refusal(run: () => unknown): { status: number; detail: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof RelayServiceError) return { status: error.status, detail: error.detail };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Shared Access Signature tokens', () => {
  it('signs the URL-encoded resource URI, a newline and the expiry with HMAC-SHA256', () => {
    const token = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: KEY.name,
      key: KEY.key,
      expiry: 1_900_000_000,
    });
    const sr = encodeURIComponent('http://contoso.servicebus.windows.net/hyco');
    const sig = createHmac('sha256', KEY.key).update(`${sr}\n1900000000`).digest('base64');
    expect(token).toBe(`SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=1900000000&skn=${KEY.name}`);
  });

  it('accepts tokens made by hyco-https (whose resource URI carries :443)', () => {
    const uri = hyco.createRelayListenUri('contoso.servicebus.windows.net', 'hyco');
    const token = hyco.createRelayToken(uri, KEY.name, KEY.key);
    expect(parseSasToken(token).resource).toBe('http://contoso.servicebus.windows.net:443/hyco');
    const verified = verifySasToken(token, requirement({ now: Date.now() }));
    expect(verified.keyName).toBe(KEY.name);
  });

  it('verifies over sr exactly as sent, so lower-case percent-encoding (as in the documentation) works', () => {
    const sr = 'http%3a%2f%2fcontoso.servicebus.windows.net%2fhyco%2f';
    const sig = createHmac('sha256', KEY.key).update(`${sr}\n${inAnHour}`).digest('base64');
    const token = `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${inAnHour}&skn=${KEY.name}`;
    expect(verifySasToken(token, requirement()).expiresAt).toBe(inAnHour * 1000);
  });

  it('accepts fields in any order and a namespace-wide resource', () => {
    const token = createSasToken({
      resourceUri: 'https://CONTOSO.servicebus.windows.net/',
      keyName: KEY.name,
      key: KEY.key,
      expiry: inAnHour,
    });
    const [, fields] = token.split(' ');
    const reordered = `SharedAccessSignature ${fields!.split('&').reverse().join('&')}`;
    expect(verifySasToken(reordered, requirement({ entityPath: 'team/hyco' })).keyName).toBe(KEY.name);
  });

  it('refuses as the service documents: 401 for missing, malformed, unknown, forged and expired tokens', () => {
    const good = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: KEY.name,
      key: KEY.key,
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(undefined, requirement())).status).toBe(401);
    expect(refusal(() => verifySasToken('Bearer abc', requirement())).status).toBe(401);
    expect(refusal(() => verifySasToken(good.replace(/&se=\d+/, ''), requirement())).status).toBe(401);
    expect(refusal(() => verifySasToken(`${good}&se=1`, requirement())).detail).toContain('twice');
    const wrongKey = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: KEY.name,
      key: 'other',
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(wrongKey, requirement())).detail).toContain('InvalidSignature');
    const unknownRule = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: 'nobody',
      key: KEY.key,
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(unknownRule, requirement())).status).toBe(401);
    const moved = good.replace(`se=${inAnHour}`, `se=${inAnHour + 1}`);
    expect(refusal(() => verifySasToken(moved, requirement())).detail).toContain('InvalidSignature');
    const expired = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: KEY.name,
      key: KEY.key,
      expiry: NOW / 1000 - 1,
    });
    expect(refusal(() => verifySasToken(expired, requirement())).detail).toContain('ExpiredToken');
    const atExpiry = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: KEY.name,
      key: KEY.key,
      expiry: NOW / 1000,
    });
    expect(refusal(() => verifySasToken(atExpiry, requirement())).status).toBe(401);
    const otherNamespace = createSasToken({
      resourceUri: 'http://fabrikam.servicebus.windows.net/hyco',
      keyName: KEY.name,
      key: KEY.key,
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(otherNamespace, requirement())).status).toBe(401);
  });

  it('refuses with 403 a token for another path or without the right', () => {
    const otherPath = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/other',
      keyName: KEY.name,
      key: KEY.key,
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(otherPath, requirement())).status).toBe(403);
    const prefixOnly = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hy',
      keyName: KEY.name,
      key: KEY.key,
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(prefixOnly, requirement())).status).toBe(403);
    const sendOnly = { name: 'send', key: 'c2VuZA==', rights: ['Send'] as const };
    const token = createSasToken({
      resourceUri: 'http://contoso.servicebus.windows.net/hyco',
      keyName: 'send',
      key: sendOnly.key,
      expiry: inAnHour,
    });
    expect(refusal(() => verifySasToken(token, requirement({ keys: [sendOnly] }))).status).toBe(403);
    expect(verifySasToken(token, requirement({ keys: [sendOnly], right: 'Send' })).keyName).toBe('send');
  });

  it('never throws anything but a service error, and never echoes the signature, for any token text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `SharedAccessSignature ${s}`),
        ),
        (token) => {
          try {
            verifySasToken(token, requirement());
          } catch (error) {
            expect(error).toBeInstanceOf(RelayServiceError);
            const sig = /sig=([^&]+)/.exec(token)?.[1];
            if (sig !== undefined && sig.length > 8) expect((error as Error).message).not.toContain(sig);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
