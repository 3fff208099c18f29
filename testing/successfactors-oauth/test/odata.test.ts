import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from './helpers/http.js';
import { startWorld, type World } from './helpers/world.js';

let world: World;
let clock = Date.now();
let token: string;
beforeAll(async () => {
  world = await startWorld({ now: () => clock });
  world.emulator.addUser(world.companyId, "o'neil");
});
afterAll(() => world.emulator.close());

async function newToken(userId = 'alice'): Promise<string> {
  const answer = await world.request(world.assertion({ userId }), { new_token: 'true' });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json.access_token as string;
}

describe("GET /odata/v2/User('<userId>')", () => {
  beforeAll(async () => {
    token = await newToken();
  });

  it('answers a user of the token’s company', async () => {
    const answer = await get(world.emulator.userUrl('alice'), `Bearer ${token}`);
    expect(answer.status).toBe(200);
    expect(answer.json.d).toMatchObject({ userId: 'alice', status: 't', __metadata: { type: 'SFOData.User' } });
    const quoted = await get(world.emulator.userUrl("o'neil"), `Bearer ${token}`);
    expect(quoted.status).toBe(200);
    expect(quoted.json.d.userId).toBe("o'neil");
    expect(world.emulator.userUrl("o'neil")).toContain("User('o''neil')");
    const named = await get(`${world.emulator.base}/odata/v2/User(userId='bob')?$format=json`, `Bearer ${token}`);
    expect(named.json.d.userId).toBe('bob');
  });

  it('answers 404 COE_RESOURCE_NOT_FOUND for an unknown user and for a user of another company', async () => {
    for (const userId of ['mallory', 'carol']) {
      const answer = await get(world.emulator.userUrl(userId), `Bearer ${token}`);
      expect(answer.status).toBe(404);
      expect(answer.json.error.code).toBe('COE_RESOURCE_NOT_FOUND');
      expect(answer.json.error.message).toMatchObject({ lang: 'en-US' });
      expect(answer.json.error.message.value).toContain(userId);
    }
  });

  it('answers 401 without a token, with an unknown one, or with one that is not Bearer', async () => {
    const missing = await get(world.emulator.userUrl('alice'));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(typeof missing.json.error.message.value).toBe('string');
    expect((await get(world.emulator.userUrl('alice'), 'Bearer bm90LWEtdG9rZW4=')).status).toBe(401);
    expect((await get(world.emulator.userUrl('alice'), `Basic ${token}`)).status).toBe(401);
    expect((await get(world.emulator.userUrl('alice'), `Bearer ${token}x`)).status).toBe(401);
  });

  it('answers JSON only when asked for: $format=json or Accept: application/json', async () => {
    const plain = `${world.emulator.base}/odata/v2/User('alice')`;
    expect((await get(plain, `Bearer ${token}`)).status).toBe(406);
    expect((await get(plain, `Bearer ${token}`, { Accept: 'application/json' })).status).toBe(200);
    expect((await get(`${plain}?$format=atom`, `Bearer ${token}`)).status).toBe(406);
  });

  it('answers 404 JSON to anything else', async () => {
    for (const path of ['/', '/odata/v2/User', "/odata/v2/Users('alice')", '/odata/v2/User(alice)', '/oauth/idp', '/%zz']) {
      const answer = await get(`${world.emulator.base}${path}`, `Bearer ${token}`);
      expect(answer.status, path).toBe(404);
      expect(typeof answer.json.error.code).toBe('string');
    }
    const post = await fetch(world.emulator.userUrl('alice'), { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(post.status).toBe(404);
  });

  it('logs each request with its path, token and status', async () => {
    world.emulator.calls.length = 0;
    await get(world.emulator.userUrl('alice'), `Bearer ${token}`);
    expect(world.emulator.calls).toEqual([
      { kind: 'api', at: clock, method: 'GET', path: "/odata/v2/User('alice')?$format=json", token, status: 200 },
    ]);
  });
});

describe('token lifetime', () => {
  it('makes every token invalid on expireTokens()', async () => {
    const before = await newToken();
    expect((await get(world.emulator.userUrl('alice'), `Bearer ${before}`)).status).toBe(200);
    world.emulator.expireTokens();
    const after = await get(world.emulator.userUrl('alice'), `Bearer ${before}`);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('UNAUTHORIZED');
    // A new assertion gets a new token that works.
    const renewed = await newToken();
    expect(renewed).not.toBe(before);
    expect((await get(world.emulator.userUrl('alice'), `Bearer ${renewed}`)).status).toBe(200);
  });

  it('lets a token lapse expires_in seconds after it was issued, by the emulator’s clock', async () => {
    const issued = await newToken();
    clock += 86_398_000;
    expect((await get(world.emulator.userUrl('alice'), `Bearer ${issued}`)).status).toBe(200);
    // Without new_token the same token comes back, with what is left of its life.
    const again = await world.request(world.assertion());
    expect(again.json).toMatchObject({ access_token: issued, expires_in: 1 });
    clock += 1_000;
    expect((await get(world.emulator.userUrl('alice'), `Bearer ${issued}`)).status).toBe(401);
    const fresh = await world.request(world.assertion());
    expect(fresh.json.access_token).not.toBe(issued);
    expect(fresh.json.expires_in).toBe(86399);
  });
});
