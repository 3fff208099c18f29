/**
 * Credentials for throwaway NATS servers: decentralized JWT authentication (an operator, an
 * account with JetStream, a user — signed with ed25519 nkeys the way NATS documents its JWTs),
 * and a CA with a server certificate for TLS.
 */
import { createHash } from 'node:crypto';
import { nkeys } from '@nats-io/nats-core';
import { writeServerCertificates } from '@scimgw/testing-pki';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64url');

/** A NATS JWT: claims signed by `signer` (ed25519 nkey), `jti` the base32 SHA-256 of the claims. */
function natsJwt(signer: nkeys.KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = {
    iat: Math.floor(Date.now() / 1000),
    iss: signer.getPublicKey(),
    name,
    sub: subject,
    nats,
  };
  claims.jti = base32(createHash('sha256').update(JSON.stringify(claims)).digest());
  const head = b64(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const body = b64(JSON.stringify(claims));
  return `${head}.${body}.${b64(signer.sign(new TextEncoder().encode(`${head}.${body}`)))}`;
}

const UNLIMITED = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

/** Operator-mode server configuration and a user's JWT and seed. */
export function jwtSetup(): { serverConfig: string; userJwt: string; userSeed: string } {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const system = nkeys.createAccount();
  const user = nkeys.createUser();
  const operatorJwt = natsJwt(operator, operator.getPublicKey(), 'test-operator', { type: 'operator', version: 2 });
  const accountJwt = natsJwt(operator, account.getPublicKey(), 'scimgw', {
    limits: { ...UNLIMITED, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 },
    default_permissions: { pub: {}, sub: {} },
    type: 'account',
    version: 2,
  });
  const systemJwt = natsJwt(operator, system.getPublicKey(), 'SYS', { limits: UNLIMITED, type: 'account', version: 2 });
  const userJwt = natsJwt(account, user.getPublicKey(), 'svc', {
    pub: {},
    sub: {},
    subs: -1,
    data: -1,
    payload: -1,
    type: 'user',
    version: 2,
  });
  const serverConfig = [
    `operator: "${operatorJwt}"`,
    `system_account: ${system.getPublicKey()}`,
    'resolver: MEMORY',
    `resolver_preload: { ${account.getPublicKey()}: "${accountJwt}", ${system.getPublicKey()}: "${systemJwt}" }`,
  ].join('\n');
  return { serverConfig, userJwt, userSeed: new TextDecoder().decode(user.getSeed()) };
}

/** An nkey user: server configuration and the seed. */
export function nkeySetup(): { serverConfig: string; seed: string } {
  const user = nkeys.createUser();
  return {
    serverConfig: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
    seed: new TextDecoder().decode(user.getSeed()),
  };
}

/** A CA and a certificate for 127.0.0.1/localhost signed by it, written to `dir`. */
export function tlsSetup(dir: string): { ca: string; caFile: string; serverConfig: string } {
  const { ca, caFile, certFile, keyFile } = writeServerCertificates(dir, { hosts: ['127.0.0.1', 'localhost'] });
  return { ca, caFile, serverConfig: `tls { cert_file: "${certFile}", key_file: "${keyFile}" }` };
}
