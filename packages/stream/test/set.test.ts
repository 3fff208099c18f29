import { generateKeyPairSync } from 'node:crypto';
import { SchemaRegistry } from '@scimgw/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  decodeSet,
  encodeSet,
  looksLikeJws,
  MESSAGE_FORMAT,
  PoisonMessageError,
  privateKeyFromPem,
  publicKeyFromPem,
  SCIM_EVENTS,
  type StreamMessage,
} from '../src/index.js';

const registry = new SchemaRegistry();
const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    priv: privateKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
    pub: publicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString()),
  };
};
const keys = pair();
const signer = { key: keys.priv, algorithm: 'ES256', keyId: 'k1', issuer: 'gw-a', audience: 'subscribers' };
const verifier = { key: keys.pub, issuer: 'gw-a', audience: 'subscribers' };

const base: StreamMessage = {
  format: MESSAGE_FORMAT,
  id: '0b6f9f3e-6c1d-4f55-8a0e-1f2d3c4b5a69',
  time: '2026-02-03T04:05:06.000Z',
  source: 'gw-a',
  tenant: 'client-a',
  resourceType: 'User',
  resourceId: 'u-1',
  operation: 'create',
  data: {
    resource: { id: 'u-1', userName: 'bjensen', name: { givenName: 'Barbara' } },
    key: { userName: 'bjensen', externalId: 'e1' },
  },
};

describe('Security Event Tokens (RFC 8417 / RFC 9967)', () => {
  it('signs each operation as its SCIM event and reads it back', async () => {
    const messages: StreamMessage[] = [
      base,
      { ...base, operation: 'replace' },
      {
        ...base,
        operation: 'modify',
        data: {
          changes: [
            { op: 'replace', path: { attr: 'name', sub: 'givenName' }, value: 'Babs' },
            { op: 'add', path: { attr: 'emails' }, value: [{ value: 'b@example.com' }] },
          ],
          resource: { id: 'u-1', userName: 'bjensen' },
          key: { userName: 'bjensen' },
        },
      },
      { ...base, operation: 'delete', data: { key: { userName: 'bjensen' } } },
    ];
    for (const m of messages) {
      const token = await encodeSet(m, signer);
      expect(looksLikeJws(token)).toBe(true);
      const text = new TextDecoder().decode(token);
      expect(decodeProtectedHeader(text)).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt', kid: 'k1' });
      const claims = decodeJwt(text);
      expect(claims).toMatchObject({ iss: 'gw-a', aud: 'subscribers', jti: m.id, txn: m.id });
      expect(Object.keys(claims.events as object)).toEqual([SCIM_EVENTS[m.operation]]);
      expect((claims.sub_id as { uri: string }).uri).toBe('/Users/u-1');
      expect(await decodeSet(token, verifier, registry)).toEqual(m);
    }
  });

  it('carries a PATCH as a PatchOp request (patch:full)', async () => {
    const token = await encodeSet(
      {
        ...base,
        operation: 'modify',
        data: { changes: [{ op: 'remove', path: { attr: 'emails' }, value: [{ value: 'x@y' }] }] },
      },
      signer,
    );
    const events = decodeJwt(new TextDecoder().decode(token)).events as Record<string, { data: unknown }>;
    expect(events[SCIM_EVENTS.modify]?.data).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'emails', value: [{ value: 'x@y' }] }],
    });
  });

  it('refuses another key, another issuer or audience, and a tampered token', async () => {
    const token = await encodeSet(base, signer);
    await expect(decodeSet(token, { ...verifier, key: pair().pub }, registry)).rejects.toThrow(PoisonMessageError);
    await expect(decodeSet(token, { ...verifier, issuer: 'gw-b' }, registry)).rejects.toThrow(/iss/);
    await expect(decodeSet(token, { ...verifier, audience: 'others' }, registry)).rejects.toThrow(/aud/);
    const text = new TextDecoder().decode(token);
    const [h, p, s] = text.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.scimgw.resourceId = 'someone-else';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    await expect(decodeSet(new TextEncoder().encode(forged), verifier, registry)).rejects.toThrow(/signature/);
  });

  it('refuses a token signed as a plain JWT (typ) or carrying no SCIM event', async () => {
    const { SignJWT } = await import('jose');
    const plain = await new SignJWT({ events: { [SCIM_EVENTS.create]: {} } })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(keys.priv);
    await expect(decodeSet(new TextEncoder().encode(plain), verifier, registry)).rejects.toThrow(/typ/);
    const none = await new SignJWT({ events: { 'urn:example:other': {} } })
      .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' })
      .setIssuer('gw-a')
      .setAudience('subscribers')
      .sign(keys.priv);
    await expect(decodeSet(new TextEncoder().encode(none), verifier, registry)).rejects.toThrow(/exactly one SCIM/);
  });
});
