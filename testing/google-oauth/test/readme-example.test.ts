import { createSign } from 'node:crypto';
import { expect, it } from 'vitest';
import { startGoogleOAuthEmulator } from '../src/index.js';

// The "Use" example of README.md, with createSign as a client might write it.
it('runs the README example: key file, RS256 JWT, token, user, expireTokens', async () => {
  const google = await startGoogleOAuthEmulator();
  try {
    const key = google.createServiceAccount({ delegation: ['https://www.googleapis.com/auth/admin.directory.user.readonly'] });
    google.addUser('admin@example.com');
    const alice = google.addUser('alice@example.com');

    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${part({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })}.${part({
      iss: key.client_email,
      sub: 'admin@example.com',
      aud: key.token_uri,
      iat: now,
      exp: now + 3600,
      scope: 'https://www.googleapis.com/auth/admin.directory.user.readonly',
    })}`;
    const assertion = `${input}.${createSign('RSA-SHA256').update(input).sign(key.private_key, 'base64url')}`;
    const token = (await fetch(key.token_uri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
    }).then((r) => r.json())) as { access_token: string; expires_in: number; token_type: string };
    expect(token).toEqual({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: 'Bearer' });

    const read = () => fetch(google.userUrl('alice@example.com'), { headers: { Authorization: `Bearer ${token.access_token}` } });
    const user = await read();
    expect(user.status).toBe(200);
    expect(await user.json()).toEqual({ kind: 'admin#directory#user', id: alice.id, primaryEmail: 'alice@example.com' });

    google.expireTokens();
    expect((await read()).status).toBe(401);
    expect(google.calls.map((call) => [call.kind, call.status])).toEqual([
      ['token', 200],
      ['api', 200],
      ['api', 401],
    ]);
  } finally {
    await google.close();
  }
});
