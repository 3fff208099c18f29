/**
 * The connection watch on its own, over a real loopback socket: the peer's close fails what waits
 * at once, nothing is sent afterwards, and the pooled client reads as disconnected. (Against slapd,
 * over StartTLS too: slapd-connections.test.ts.)
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSED_MESSAGE, ConnectionWatch, NOT_SENT_MESSAGE, watchedClient } from '../src/liveness.js';
import type { LdapClient } from '../src/pool.js';

let server: Server;
let port = 0;
const accepted: Socket[] = [];
beforeAll(async () => {
  server = createServer((s) => void accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of accepted) s.destroy();
  await new Promise((r) => server.close(r));
});

/** A watched socket to the test server, connected, and the server's end of it. */
async function connected(watch: ConnectionWatch): Promise<Socket> {
  const before = accepted.length;
  const open = watch.clientOptions().createConnection as unknown as (port: number, host: string) => Socket;
  const socket = open(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  while (accepted.length === before) await new Promise((r) => setTimeout(r, 5));
  return accepted.at(-1) as Socket;
}

describe('ConnectionWatch', () => {
  it('fails a waiting operation the moment the peer closes, and sends nothing afterwards', async () => {
    const watch = new ConnectionWatch();
    const peer = await connected(watch);
    const waiting = watch.guard(() => new Promise<never>(() => {}));
    const started = Date.now();
    peer.destroy();
    await expect(waiting).rejects.toThrow(CLOSED_MESSAGE);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(watch.closed).toBe(true);
    let sent = false;
    await expect(
      watch.guard(async () => {
        sent = true;
      }),
    ).rejects.toThrow(NOT_SENT_MESSAGE);
    expect(sent).toBe(false);
  });

  it('lets an operation that settles first keep its outcome', async () => {
    const watch = new ConnectionWatch();
    await connected(watch);
    expect(await watch.guard(async () => 'answer')).toBe('answer');
    await expect(watch.guard(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    watch.close();
  });

  it('hands out the client as disconnected once closed, and unbinds it without sending', async () => {
    const watch = new ConnectionWatch();
    const peer = await connected(watch);
    let unbinds = 0;
    const fake = {
      isConnected: true,
      isBound: true,
      marker: 'kept',
      async unbind() {
        unbinds++;
      },
      async search() {
        return { searchEntries: [], searchReferences: [] };
      },
    } as unknown as LdapClient & { marker: string };
    const c = watchedClient(fake, watch) as typeof fake;
    expect([c.isConnected, c.isBound, c.marker]).toEqual([true, true, 'kept']);
    peer.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect([c.isConnected, c.isBound]).toEqual([false, false]);
    await c.unbind();
    expect(unbinds).toBe(0);
    await expect(c.search('dc=x')).rejects.toThrow(NOT_SENT_MESSAGE);
  });

  it('ends a paged search a reader leaves early', async () => {
    const watch = new ConnectionWatch();
    await connected(watch);
    let ended = false;
    async function* pages() {
      try {
        yield 1;
        yield 2;
      } finally {
        ended = true;
      }
    }
    for await (const page of watch.guardPages(pages())) if (page === 1) break;
    expect(ended).toBe(true);
    watch.close();
  });
});
