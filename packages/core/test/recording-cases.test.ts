/**
 * `recordingCases`: recordings as test cases for any connector. A recording made on a populated
 * store passes on an empty one (seeded by default), fails without seeding, and a recording that
 * does not parse fails its case naming the line.
 */
import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import { idpTraffic, REPLAY_BULK, recordingCases, runReplay } from '../src/testkit/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';
import { recordingHandle } from './fixtures/record.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Okta's traffic recorded on an empty store, and a lookup and PATCH of a user that was there before. */
async function recordings(): Promise<Record<string, string>> {
  const fresh = createScimHandler({ connector: memoryConnector({ withModify: true }), bulk: REPLAY_BULK });
  const empty = recordingHandle((req) => fresh.handle(req));
  await runReplay(empty.handle, idpTraffic.okta);
  const h = createScimHandler({ connector: memoryConnector({ withModify: true }), bulk: REPLAY_BULK });
  const made = (await h.handle({
    method: 'POST',
    url: '/Users',
    headers: {},
    body: JSON.stringify({ userName: 'there.before@example.com', title: 'Clerk' }),
  })) as { body: { id: string } };
  const populated = recordingHandle((req) => h.handle(req));
  const found = await populated.handle({
    method: 'GET',
    url: `/Users?filter=${encodeURIComponent('userName eq "there.before@example.com"')}`,
    headers: {},
  });
  expect(found.status).toBe(200);
  const patched = await populated.handle({
    method: 'PATCH',
    url: `/Users/${made.body.id}`,
    headers: {},
    body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] }),
  });
  expect(patched.status).toBe(200);
  return { 'okta.jsonl': empty.jsonl(), 'populated.jsonl': populated.jsonl() };
}

const connector = () => memoryConnector({ withModify: true });

describe('recordingCases', () => {
  it('replays each recording into a fresh connector, seeding what it did not create', async () => {
    const cases = recordingCases({ connector, recordings: await recordings() });
    expect(cases.map((c) => c.name)).toEqual(['recording okta.jsonl', 'recording populated.jsonl']);
    for (const c of cases) await c.run();
  });

  it('without seeding, a recording made on a populated store fails at its first lookup', async () => {
    const cases = recordingCases({ connector, recordings: await recordings(), seed: false });
    await (cases[0] as { run: () => Promise<void> }).run();
    await expect((cases[1] as { run: () => Promise<void> }).run()).rejects.toThrow(/#1 GET \/Users: totalResults: expected 1/);
  });

  it('fails a recording whose answers the connector does not give, and one that does not parse, naming where', async () => {
    const okta = (await recordings())['okta.jsonl'] as string;
    const lines = okta.split('\n');
    const edited = lines.map((l, i) => (i === 1 ? l.replace(/"status":200/, '"status":404') : l)).join('\n');
    const released: unknown[] = [];
    const cases = recordingCases({
      connector,
      release: (c) => {
        released.push(c);
      },
      recordings: { 'edited.jsonl': edited, 'broken.jsonl': `${lines[0]}\n{"seq":1,` },
    });
    await expect((cases[0] as { run: () => Promise<void> }).run()).rejects.toThrow(/#1 GET .*expected 404, got 200/);
    await expect((cases[1] as { run: () => Promise<void> }).run()).rejects.toThrow(/line 2/);
    expect(released).toHaveLength(1);
  });
});
