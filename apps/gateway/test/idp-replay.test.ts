/**
 * Every IdP's traffic over HTTP into the gateway with its embedded default store (persistent, as
 * `npm start` runs it): at the root and under a `baseEntity`, each client's replay on the store the
 * earlier ones left (names are unique per client). Then a restart, and what the replays left is
 * still there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';
import { httpReplayHandle, IDP_REPLAYS, runReplay } from './idp-http-replay.js';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-idp-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['at the root', ''],
  ['under a baseEntity', '/clientA'],
])('IdP replays over HTTP into the embedded store, %s', (_label, prefix) => {
  let gw: TestGateway;
  const left: Record<string, Record<string, string>> = {};
  afterAll(() => gw?.stop());

  const start = () =>
    startGateway(
      {},
      {
        persistence: true,
        directory: join(dir, prefix || 'root'),
        exampleData: false,
        ...(prefix ? { entity: { [prefix.slice(1)]: {} } } : {}),
      },
    );
  it('starts', async () => {
    gw = await start();
  });

  for (const [name, steps] of IDP_REPLAYS) {
    it(name, async () => {
      left[name] = await runReplay(httpReplayHandle(gw.base, prefix), steps);
    });
  }

  it('after a restart, what the replays left is there', async () => {
    await gw.stop();
    gw = await start();
    const handle = httpReplayHandle(gw.base, prefix);
    const okta = left['Okta (OIN and custom apps)'] as Record<string, string>;
    const user = await handle({ method: 'GET', url: `/Users/${okta.user}`, headers: {} });
    expect(user.body).toMatchObject({ userName: 'dade.murphy@example.com', active: false, name: { familyName: 'Murphy-Jr' } });
    const burst = left['SailPoint (bursts of parallel requests)'] as Record<string, string>;
    const group = await handle({ method: 'GET', url: `/Groups/${burst.group}`, headers: {} });
    const members = ((group.body as { members: { value: string }[] }).members ?? []).map((m) => m.value).sort();
    expect(members).toEqual([4, 5, 6, 7].map((i) => burst[`m${i}`]).sort());
    const gone = left['JumpCloud test connection'] as Record<string, string>;
    expect((await handle({ method: 'GET', url: `/Users/${gone.user}`, headers: {} })).status).toBe(404);
  });
});
