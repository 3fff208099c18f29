import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparable, hasNul, INJECTION_CORPUS, semanticsUsers, startTcpProxy } from '../src/index.js';

let echo: ReturnType<typeof createServer>;
let echoPort: number;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => echo.close(() => r())));

const roundTrip = (port: number, text: string) =>
  new Promise<string>((resolve, reject) => {
    const s: Socket = connect(port, '127.0.0.1', () => s.write(text));
    s.once('data', (d) => {
      resolve(d.toString());
      s.destroy();
    });
    s.once('error', reject);
    s.once('close', () => resolve(''));
  });

describe('the TCP proxy', () => {
  it('forwards, cuts every connection, refuses while down, and serves again', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    try {
      expect(await roundTrip(proxy.port, 'ping')).toBe('ping');
      const open = connect(proxy.port, '127.0.0.1');
      await new Promise((r) => open.once('connect', r));
      await new Promise((r) => setTimeout(r, 20));
      expect(proxy.connections()).toBe(1);
      const closed = new Promise((r) => open.once('close', r));
      proxy.dropAll();
      await closed;
      proxy.setDown(true);
      expect(await roundTrip(proxy.port, 'x')).toBe('');
      proxy.setDown(false);
      expect(await roundTrip(proxy.port, 'back')).toBe('back');
    } finally {
      await proxy.close();
    }
  });
});

describe('fixtures', () => {
  it('the injection corpus holds every kind of value the issue names', () => {
    const has = (re: RegExp) => INJECTION_CORPUS.some((v) => re.test(v));
    expect(has(/'/)).toBe(true);
    expect(has(/--|\/\*|#/)).toBe(true);
    expect(has(/;/)).toBe(true);
    expect(has(/%/)).toBe(true);
    expect(has(/_/)).toBe(true);
    expect(has(/\\/)).toBe(true);
    expect(INJECTION_CORPUS.some(hasNul)).toBe(true);
    expect(has(/[\uff00-\uffef\u0400-\u04ff\u02bc]/)).toBe(true);
  });

  it('the semantics users are the same on every call (deterministic)', () => {
    expect(JSON.stringify(semanticsUsers())).toBe(JSON.stringify(semanticsUsers()));
    expect(semanticsUsers().length).toBe(36);
  });

  it('comparable() drops meta and empty values and orders keys', () => {
    expect(comparable({ b: 1, a: '', meta: { x: 1 }, c: [], d: { e: null } })).toEqual({ b: 1 });
    expect(JSON.stringify(comparable({ z: 1, a: 2 }))).toBe('{"a":2,"z":1}');
  });
});
