/** Test gateways on loopback: a config file in a temp dir, started with the real gateway host. */
import type { Connector } from '@scimgw/core';
import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '@scimgw/testing-kit';
import type { LoadedConfig } from '@scimgw/server';
import type { GenericEntityConfig } from '../src/index.js';

export const BASIC = TEST_BASIC_AUTH;
export type { TestGateway };

/** Starts a gateway from `{ scimgateway, endpoint }`; `name` picks the connector (`connector-loki`). */
export function startGateway(
  name: string,
  endpoint: Record<string, unknown>,
  opts: { scimgateway?: Record<string, unknown>; connector?: (cfg: LoadedConfig) => Connector } = {},
): Promise<TestGateway> {
  return startTestGateway({ name, endpoint, contentType: 'application/scim+json', ...opts });
}

/** The `endpoint.entity` section pointing a generic connector at `base`. */
export function entityFor(base: string, extra: Record<string, unknown> = {}): Record<string, GenericEntityConfig> {
  return {
    undefined: {
      connection: {
        baseUrls: [base],
        auth: { type: 'basic' as const, options: { username: 'gwadmin', password: 'password' } },
        retry: { attempts: 1 },
      },
      ...extra,
    },
  };
}

/** One request that passed the recording proxy, with the size of the target's answer. */
export interface ProxiedRequest {
  method: string;
  url: string;
  body: any;
  /** The request's `content-type`, if it had one. */
  contentType: string | undefined;
  responseBytes?: number;
}

/** An answer the proxy gives itself instead of passing a request on. */
export interface ProxyAnswer {
  status: number;
  type: string;
  body: string;
}

/**
 * A recording HTTP proxy in front of `target`: every request that passes is kept. `refuse` may
 * answer a request itself (a target's missing route); refused requests are kept too.
 */
export async function startRecordingProxy(
  target: () => string,
  refuse?: (method: string, url: string) => ProxyAnswer | undefined,
): Promise<{
  base: string;
  requests: ProxiedRequest[];
  close: () => Promise<void>;
}> {
  const { createServer } = await import('node:http');
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    (async () => {
      let text = '';
      for await (const c of req) text += c;
      const entry: ProxiedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        body: text ? JSON.parse(text) : undefined,
        contentType: req.headers['content-type'],
      };
      requests.push(entry);
      const refused = refuse?.(entry.method, entry.url);
      if (refused) {
        res.writeHead(refused.status, { 'content-type': refused.type });
        res.end(refused.body);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const up = await fetch(target() + (req.url ?? '/'), {
        method: req.method ?? 'GET',
        headers,
        ...(text ? { body: text } : {}),
      });
      const out = Buffer.from(await up.arrayBuffer());
      entry.responseBytes = out.length;
      const h: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
      });
      res.writeHead(up.status, h);
      res.end(out);
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
