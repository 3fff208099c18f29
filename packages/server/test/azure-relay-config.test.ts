/** `scimgateway.azureRelay`: what a start needs is checked at load, with the key named; keys are encrypted at rest. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, requestOrigin, setRequestOrigin } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function load(azureRelay: unknown, encryptInPlace = false): { message: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-relaycfg-'));
  dirs.push(dir);
  const file = join(dir, 'connector-loki.json');
  writeFileSync(file, JSON.stringify({ scimgateway: { port: 0, azureRelay }, endpoint: {} }));
  try {
    loadConfig(file, { env: { SEED: 'relay-test' }, encryptInPlace });
    return { message: '', file };
  } catch (e) {
    return { message: (e as Error).message, file };
  }
}

const url = 'https://contoso.servicebus.windows.net/scim';

describe('scimgateway.azureRelay', () => {
  it("accepts the older product's keys, a token instead, and anything while disabled", () => {
    expect(load({ enabled: true, connectionUrl: url, keyRule: 'RootManageSharedAccessKey', apiKey: 'k' }).message).toBe('');
    expect(load({ enabled: true, connectionUrl: url, token: 'SharedAccessSignature sr=x&sig=y&se=1&skn=z' }).message).toBe('');
    expect(load({ enabled: false }).message).toBe('');
    expect(load(null).message).toBe('');
  });

  it('names the key that cannot work', () => {
    expect(load({ enabled: true, keyRule: 'r', apiKey: 'k' }).message).toMatch(
      /scimgateway\.azureRelay\.connectionUrl: must be https:/,
    );
    expect(load({ enabled: true, connectionUrl: 'http://ns/scim', keyRule: 'r', apiKey: 'k' }).message).toMatch(
      /azureRelay\.connectionUrl/,
    );
    expect(load({ enabled: true, connectionUrl: 'https://ns', keyRule: 'r', apiKey: 'k' }).message).toMatch(
      /azureRelay\.connectionUrl/,
    );
    expect(load({ enabled: true, connectionUrl: url }).message).toMatch(/scimgateway\.azureRelay\.apiKey: required/);
    expect(load({ enabled: true, connectionUrl: url, apiKey: 'k' }).message).toMatch(
      /scimgateway\.azureRelay\.keyRule: keyRule and apiKey go together/,
    );
    expect(load({ enabled: true, connectionUrl: url, keyRule: 'r', apiKey: 'k', token: 't' }).message).toMatch(
      /azureRelay\.token: give either/,
    );
    expect(load({ enabled: true, connectionUrl: url, keyRule: 'r', apiKey: 'k', apikey: 'x' }).message).toMatch(/azureRelay/);
  });

  it('encrypts apiKey and token in the file', () => {
    const { file } = load({ enabled: true, connectionUrl: url, keyRule: 'r', apiKey: 'the-relay-key' }, true);
    expect(readFileSync(file, 'utf8')).not.toContain('the-relay-key');
    const { file: f2 } = load({ enabled: true, connectionUrl: url, token: 'SharedAccessSignature sr=a&sig=b' }, true);
    expect(readFileSync(f2, 'utf8')).not.toContain('sig=b');
  });
});

describe('setRequestOrigin', () => {
  it('gives the origin set for that request only', () => {
    const relayed = { host: 'internal:8880' };
    setRequestOrigin(relayed, 'https://ns.servicebus.windows.net/scim');
    expect(requestOrigin(relayed, false, false)).toBe('https://ns.servicebus.windows.net/scim');
    expect(requestOrigin({ host: 'internal:8880' }, false, false)).toBe('http://internal:8880');
  });
});

describe('requestOrigin', () => {
  it('takes the first of comma-separated forwarded values, trimmed, only when forwarded headers are trusted', () => {
    const headers = { host: 'gw:8880', 'x-forwarded-proto': ' https , http', 'x-forwarded-host': 'idp.example.org , proxy' };
    expect(requestOrigin(headers, false, true)).toBe('https://idp.example.org');
    expect(requestOrigin(headers, false, false)).toBe('http://gw:8880');
    expect(requestOrigin(headers, true, false)).toBe('https://gw:8880');
    expect(requestOrigin({ host: 'a:1', 'x-forwarded-host': ['b:2, c:3', 'd:4'] }, false, true)).toBe('http://b:2');
    expect(requestOrigin({ 'x-forwarded-host': '' }, false, true)).toBe('http://localhost');
    expect(requestOrigin({}, false, false)).toBe('http://localhost');
  });
});
