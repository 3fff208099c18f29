import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonRequest, type JsonServer, startJsonServer } from '../src/index.js';
import { getJson, hangUpMidBody, postChunked, postRaw } from '../src/client.js';

/** Every request the handler saw, and a server that echoes what it read or throws on `/throw`. */
const seen: JsonRequest[] = [];
let server: JsonServer;
beforeAll(async () => {
  server = await startJsonServer({
    maxBodyBytes: 1024,
    failureBody: { error: 'broken' },
    handle(request, res) {
      seen.push(request);
      if (request.path === '/throw') throw new Error('handler failed');
      const { body } = request;
      const reply = body.ok
        ? {
            status: 200,
            body: { method: request.method, path: request.path, q: request.query.get('q'), bytes: body.bytes.length },
          }
        : { status: 413, body: { error: 'too large' } };
      res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(reply.body));
    },
  });
});
afterAll(() => server.close());

describe('startJsonServer', () => {
  it('listens on 127.0.0.1 by default, on the port it names in base', () => {
    expect(server.base).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('hands the handler method, path, query and the body read', async () => {
    const answer = await postRaw(`${server.base}/a/b?q=1&r=2`, 'x'.repeat(1024), 'text/plain');
    expect(answer.json).toEqual({ method: 'POST', path: '/a/b', q: '1', bytes: 1024 });
    expect(seen.at(-1)?.target).toBe('/a/b?q=1&r=2');
  });

  it('tells the handler of a body over the limit, whether declared or only counted', async () => {
    expect((await postRaw(`${server.base}/big`, 'x'.repeat(1025))).status).toBe(413);
    expect(await postChunked(`${server.base}/big`, 2)).toBe(413);
    expect((await postRaw(`${server.base}/big`, new Uint8Array(4 * 1024 * 1024))).status).toBe(413);
  });

  it('answers the failure body with a 500 when the handler throws', async () => {
    const answer = await getJson(`${server.base}/throw`);
    expect(answer.status).toBe(500);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.json).toEqual({ error: 'broken' });
  });

  it('does not hand the handler a request whose client hung up in the middle of its body', async () => {
    const before = seen.length;
    await hangUpMidBody(server.base, '/hang');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.length).toBe(before);
    expect((await getJson(`${server.base}/after`)).status).toBe(200);
  });

  it('close() stops listening and cuts open connections', async () => {
    const other = await startJsonServer({ failureBody: {}, handle: () => undefined });
    // A request the handler never answers keeps its connection open until close() cuts it.
    const pending = fetch(`${other.base}/never`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${other.base}/`)).rejects.toThrow();
  });
});
