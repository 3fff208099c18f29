/** The two transports with the SDK's own client: Streamable HTTP (stateless, JSON) and stdio. */
import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleMcpHttp } from '../src/http.js';
import { serveMcpStdio } from '../src/stdio.js';
import { structured, type TestHost, testHost } from './host.js';

describe('Streamable HTTP', () => {
  let h: TestHost;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    h = await testHost({ config: { allowedOrigins: ['https://console.example.com'] } });
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        handleMcpHttp(
          h.service,
          { method: req.method ?? 'GET', headers: req.headers, body: text },
          { ...h.session, transport: 'http' },
        ).then(
          (out) => {
            res.writeHead(out.status, out.headers);
            res.end(out.body);
          },
          (e) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('lists and calls tools with the SDK client', async () => {
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(client.getServerVersion()?.name).toBe('scimgw');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('search_users');
    const created = structured(await client.callTool({ name: 'create_user', arguments: { user: { userName: 'over-http' } } }));
    expect(created.created.userName).toBe('over-http');
    const found = structured(await client.callTool({ name: 'search_users', arguments: { filter: 'userName eq "over-http"' } }));
    expect(found.totalResults).toBe(1);
    await client.close();
  });

  it('answers GET and DELETE with 405 (stateless), bad JSON with a parse error, foreign origins with 403', async () => {
    const get = await fetch(url, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body,
      });
    const bad = await post('{"jsonrpc":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const deep = await post('['.repeat(100) + ']'.repeat(100));
    expect(deep.status).toBe(400);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const foreign = await post(ping, { origin: 'https://evil.example.net' });
    expect(foreign.status).toBe(403);
    const allowed = await post(ping, { origin: 'https://console.example.com' });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });
});

describe('stdio', () => {
  it('speaks newline-delimited JSON-RPC on the given streams and ends when stdin ends', async () => {
    const h = await testHost();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    const session = await serveMcpStdio(h.service, h.session, { stdin, stdout });
    const send = (m: unknown) => stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_user', arguments: { id: 'bjensen' } } });
    const replies = async (n: number) => {
      for (let i = 0; i < 100 && out.split('\n').filter(Boolean).length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    };
    const [init, get] = await replies(2);
    expect(init.result.serverInfo.name).toBe('scimgw');
    expect(init.result.capabilities.tools).toBeDefined();
    expect(get.result.structuredContent.userName).toBe('bjensen');
    stdin.end();
    await session.closed;
  });
});
