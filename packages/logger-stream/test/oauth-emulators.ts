import { type KeyObject, verify } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from './helpers.js';
import { decodeMime } from './mail-helpers.js';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface GraphSent {
  from: string;
  message: {
    subject: string;
    body: { contentType: string; content: string };
    toRecipients: { emailAddress: { address: string } }[];
    ccRecipients?: { emailAddress: { address: string } }[];
  };
}

/** Emulates the Microsoft identity platform token endpoint and Graph's sendMail. */
export async function startGraphEmulator(expected: { tenant: string; clientId: string; clientSecret: string }) {
  const state = { tokenRequests: 0, sent: [] as GraphSent[], valid: new Set<string>(), failNextSend: 0 as number, failWith: 0 };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname === `/${expected.tenant}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      if (form.get('client_secret') !== expected.clientSecret) {
        // Like a careless server, echo what was sent: the logger must still mask it.
        return json(res, 401, {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided: ${form.get('client_secret')}`,
        });
      }
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== expected.clientId ||
        form.get('scope') !== 'https://graph.microsoft.com/.default'
      ) {
        return json(res, 400, { error: 'invalid_request', error_description: 'bad token request' });
      }
      const token = `graph-at-${++state.tokenRequests}`;
      state.valid.add(token);
      return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: token });
    }
    const m = /^\/v1\.0\/users\/([^/]+)\/sendMail$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!state.valid.has(token))
        return json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired' } });
      if (state.failWith)
        return json(res, state.failWith, { error: { code: 'ErrorInternalServerError', message: 'mailbox unavailable' } });
      state.sent.push({ from: decodeURIComponent(m[1]!), ...(JSON.parse(body) as Omit<GraphSent, 'from'>) });
      res.writeHead(202).end();
      return;
    }
    json(res, 404, { error: { message: 'not found' } });
  });
  const base = await listen(server);
  return { base, state, close: () => closeServer(server) };
}

export interface GmailSent {
  user: string;
  mime: string;
  text: string;
}

/** Emulates Google's OAuth token endpoint (JWT bearer grant) and Gmail's messages.send. */
export async function startGmailEmulator(expected: { clientEmail: string; publicKey: KeyObject }) {
  const state = {
    tokenRequests: 0,
    sent: [] as GmailSent[],
    claims: [] as Record<string, unknown>[],
    valid: new Set<string>(),
    base: '',
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
        return json(res, 400, { error: 'unsupported_grant_type' });
      const [h = '', c = '', s = ''] = (form.get('assertion') ?? '').split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
      const ok =
        header.alg === 'RS256' && verify('sha256', Buffer.from(`${h}.${c}`), expected.publicKey, Buffer.from(s, 'base64url'));
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
      const now = Date.now() / 1000;
      if (
        !ok ||
        claims.iss !== expected.clientEmail ||
        claims.scope !== 'https://www.googleapis.com/auth/gmail.send' ||
        claims.aud !== `${state.base}/token` ||
        typeof claims.exp !== 'number' ||
        claims.exp < now ||
        (claims.iat as number) > now + 5
      ) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      }
      state.claims.push(claims);
      const token = `ya29.gm-${++state.tokenRequests}`;
      state.valid.add(`${token}|${String(claims.sub)}`);
      return json(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    const m = /^\/gmail\/v1\/users\/([^/]+)\/messages\/send$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      const user = decodeURIComponent(m[1]!);
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      // The token must have been issued for this very mailbox (sub).
      if (!state.valid.has(`${token}|${user}`)) return json(res, 401, { error: { code: 401, message: 'Invalid Credentials' } });
      const { raw } = JSON.parse(body) as { raw: string };
      const mime = Buffer.from(raw, 'base64url').toString('utf8');
      state.sent.push({ user, mime, text: decodeMime(mime) });
      return json(res, 200, { id: `gm-msg-${state.sent.length}`, threadId: 't1', labelIds: ['SENT'] });
    }
    json(res, 404, { error: { message: 'not found' } });
  });
  state.base = await listen(server);
  return { base: state.base, state, close: () => closeServer(server) };
}
