/**
 * Opt-in: Google service account sign-in against Google itself, skipped unless these are set:
 *
 *   SCIMGW_GOOGLE_KEY_FILE   the service account's JSON key file (path)
 *   SCIMGW_GOOGLE_SUBJECT    a Workspace administrator the account acts as (domain-wide delegation
 *                            granted for admin.directory.user.readonly)
 *   SCIMGW_GOOGLE_USER       optional: the user to read (default the subject)
 *   SCIMGW_GOOGLE_API_URL    optional: the Admin SDK's origin (default https://admin.googleapis.com)
 *
 * It signs in as google-sa.test.ts does against the emulator, reads the user through the Admin
 * SDK's users.get, and checks that nothing secret reached the log. It changes nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHelperRest } from '../src/index.js';
import { captureLogger } from './helpers.js';

const env = process.env;
const enabled = Boolean(env.SCIMGW_GOOGLE_KEY_FILE && env.SCIMGW_GOOGLE_SUBJECT);

describe.skipIf(!enabled)('Google service account sign-in against Google (opt-in)', () => {
  it('signs in with the key file, acting as the administrator, and reads a user', async () => {
    const logger = captureLogger();
    const h = createHelperRest({
      logger,
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [env.SCIMGW_GOOGLE_API_URL || 'https://admin.googleapis.com'],
              auth: {
                type: 'oauth',
                options: {
                  serviceAccountKeyFile: env.SCIMGW_GOOGLE_KEY_FILE as string,
                  scope: 'https://www.googleapis.com/auth/admin.directory.user.readonly',
                  subject: env.SCIMGW_GOOGLE_SUBJECT as string,
                },
              },
            },
          },
        },
      },
    });
    try {
      const user = env.SCIMGW_GOOGLE_USER || (env.SCIMGW_GOOGLE_SUBJECT as string);
      const r = await h.doRequest<{ primaryEmail: string }>(
        undefined,
        'GET',
        `/admin/directory/v1/users/${encodeURIComponent(user)}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.primaryEmail.toLowerCase()).toBe(user.toLowerCase());
      const key = JSON.parse(readFileSync(env.SCIMGW_GOOGLE_KEY_FILE as string, 'utf8')) as { private_key: string };
      expect(logger.text()).not.toContain(key.private_key.split('\n')[1] as string);
      expect(logger.text()).not.toMatch(/ya29\.[A-Za-z0-9_-]{8,}/);
    } finally {
      await h.close();
    }
  }, 30_000);
});
