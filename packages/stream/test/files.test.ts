import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/nats-core';
import { afterAll, describe, expect, it } from 'vitest';
import { connectOptions, readStreamFiles, redactServer, StreamFileError, streamSection } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-stream-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
writeFileSync(join(dir, 'signing.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
writeFileSync(join(dir, 'verify.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
writeFileSync(join(dir, 'ca1.pem'), '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n');
writeFileSync(join(dir, 'ca2.pem'), '-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n');
writeFileSync(join(dir, 'not-a-key.pem'), 'hello');

function config(input: Record<string, unknown>) {
  const r = streamSection.validate({
    baseUrls: ['tls://nats:4222'],
    publisher: { enabled: true, entity: { undefined: { nats: { tenant: 'T', subject: 'GW' } } } },
    subscriber: { enabled: true, entity: { undefined: { nats: { tenant: 'T', subject: 'GW' } } } },
    ...input,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe('files the stream section names', () => {
  it('reads CA lists, client certificates and the keys of signed messages, relative to the certs folder or absolute', () => {
    const files = readStreamFiles(
      config({
        certificate: { ca: ['ca1.pem', join(dir, 'ca2.pem')] },
        publisher: {
          enabled: true,
          entity: { undefined: { nats: { tenant: 'T', subject: 'GW' } } },
          set: { keyFile: 'signing.pem' },
        },
        subscriber: {
          enabled: true,
          entity: { undefined: { nats: { tenant: 'T', subject: 'GW' } } },
          set: { keyFile: 'verify.pem' },
        },
      }),
      dir,
    );
    expect(files.tls?.ca).toContain('\nA\n');
    expect(files.tls?.ca).toContain('\nB\n');
    expect(files.signingKey?.type).toBe('private');
    expect(files.verifyKey?.type).toBe('public');
  });

  it('names the configuration path of a file that is missing or not a key', () => {
    const err = (input: Record<string, unknown>) => {
      try {
        readStreamFiles(config(input), dir);
      } catch (e) {
        expect(e).toBeInstanceOf(StreamFileError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ certificate: { ca: ['ca1.pem', 'gone.pem'] } })).toMatch(
      /^certificate\.ca\[1\]: cannot read .*gone\.pem: ENOENT/,
    );
    expect(err({ certificate: { cert: 'ca1.pem' } })).toMatch(/^certificate\.key: a client certificate needs both/);
    expect(
      err({
        publisher: {
          enabled: true,
          entity: { undefined: { nats: { tenant: 'T', subject: 'GW' } } },
          set: { keyFile: 'not-a-key.pem' },
        },
      }),
    ).toMatch(/^publisher\.set\.keyFile: not a private key/);
  });
});

describe('connection options', () => {
  it('passes each kind of credential to the client library, and never shows them in a server address', () => {
    const base = { servers: ['nats://a:4222'], name: 'gw' };
    expect(connectOptions({ ...base, credentials: { user: 'u', password: 'p' } })).toMatchObject({ user: 'u', pass: 'p' });
    expect(connectOptions({ ...base, credentials: { token: 't' } })).toMatchObject({ token: 't' });
    expect(
      typeof connectOptions({ ...base, credentials: { secret: new TextDecoder().decode(nkeys.createUser().getSeed()) } })
        .authenticator,
    ).toBe('function');
    expect(connectOptions({ ...base, credentials: {}, tls: { ca: 'PEM' } }).tls).toEqual({ ca: 'PEM' });
    expect(connectOptions({ ...base, credentials: {} }).maxReconnectAttempts).toBe(-1);
    expect(redactServer('nats://svc:S3cret@nats.example:4222')).toBe('nats://nats.example:4222');
    expect(redactServer('tok@127.0.0.1:4222')).toBe('127.0.0.1:4222');
    expect(redactServer('nats.example:4222')).toBe('nats.example:4222');
  });
});
