import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT, type CryptoKey } from 'jose';
import type { Logger } from '@scimgw/core';
import type { AuthRequest } from '../src/index.js';

/** A logger that keeps every line as JSON text, so tests can grep it for secrets. */
export function captureLogger(): Logger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const put = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, msg, ...data }));
  };
  return {
    lines,
    text: () => lines.join('\n'),
    debug: put('debug'),
    info: put('info'),
    warn: put('warn'),
    error: put('error'),
  };
}

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey | KeyObject;
  publicJwk: JWK;
}

export async function makeKey(alg: 'RS256' | 'ES256' | 'PS256' | 'EdDSA', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

/** An RSA key as node KeyObjects (usable for RS* and PS*), with its SPKI PEM. */
export async function makeNodeRsaKey(kid: string): Promise<SigningKey & { pem: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  return { kid, alg: 'RS256', privateKey, publicJwk, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/** A local OpenID provider: discovery document and JWKS on 127.0.0.1, with request counters. */
export interface LocalIdp {
  base: string;
  wellKnown: string;
  keys: SigningKey[];
  hits: { discovery: number; jwks: number };
  fail: boolean;
  close(): Promise<void>;
}

export async function startIdp(keys: SigningKey[], issuerPath = ''): Promise<LocalIdp> {
  const state = { keys, hits: { discovery: 0, jwks: 0 }, fail: false };
  let base = '';
  const server: Server = createServer((req, res) => {
    if (state.fail) {
      res.writeHead(503).end();
      return;
    }
    if (req.url === `${issuerPath}/.well-known/openid-configuration`) {
      state.hits.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `${base}${issuerPath}`, jwks_uri: `${base}/keys` }));
      return;
    }
    if (req.url === '/keys') {
      state.hits.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: state.keys.map((k) => k.publicJwk) }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    wellKnown: `${base}${issuerPath}/.well-known/openid-configuration`,
    get keys() {
      return state.keys;
    },
    set keys(k: SigningKey[]) {
      state.keys = k;
    },
    hits: state.hits,
    get fail() {
      return state.fail;
    },
    set fail(v: boolean) {
      state.fail = v;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export interface TokenSpec {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  exp?: number; // seconds from now (negative = past)
  nbf?: number; // seconds from now
  claims?: Record<string, unknown>;
  kid?: string | null;
  now?: number; // epoch ms
}

export async function sign(key: SigningKey | Uint8Array, alg: string, spec: TokenSpec = {}): Promise<string> {
  const nowSec = Math.floor((spec.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({ ...spec.claims });
  const header: { alg: string; kid?: string; typ: string } = { alg, typ: 'JWT' };
  if (!(key instanceof Uint8Array) && spec.kid !== null) header.kid = spec.kid ?? key.kid;
  jwt.setProtectedHeader(header).setIssuedAt(nowSec);
  if (spec.iss) jwt.setIssuer(spec.iss);
  if (spec.aud) jwt.setAudience(spec.aud);
  if (spec.sub) jwt.setSubject(spec.sub);
  jwt.setExpirationTime(nowSec + (spec.exp ?? 600));
  if (spec.nbf !== undefined) jwt.setNotBefore(nowSec + spec.nbf);
  return jwt.sign(key instanceof Uint8Array ? key : key.privateKey);
}

/** Build an AuthRequest with sensible defaults. */
export function req(over: Partial<AuthRequest> & { auth?: string } = {}): AuthRequest {
  const { auth, ...rest } = over;
  return {
    method: 'GET',
    access: 'read',
    remoteAddress: '127.0.0.1',
    ...rest,
    headers: { ...(auth ? { authorization: auth } : {}), ...rest.headers },
  };
}

export const basicHeader = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
export const bearer = (t: string): string => `Bearer ${t}`;

/** Base64url without padding. */
export const b64u = (v: string | Buffer): string => Buffer.from(v).toString('base64url');
