/**
 * Client-side plumbing for tests on a machine without internet: an HTTPS agent that trusts
 * the emulator's CA and sends the real cloud host names (login.microsoftonline.com,
 * graph.microsoft.us …) to the emulator's listeners, a `fetch` built on it, and an MSAL
 * `INetworkModule` (msal-node's `system.networkClient`) built on that `fetch`.
 */
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent, type AgentOptions, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';

/** Host name → local port of the listener that plays it. */
export type HostMap = ReadonlyMap<string, number>;

/** An agent that trusts `ca` and connects mapped host names to 127.0.0.1:<port> (SNI kept). */
export function emulatorAgent(ca: string, hosts: HostMap, options: AgentOptions = {}): Agent {
  const agent = new Agent({ ca, keepAlive: false, ...options });
  const original = agent.createConnection.bind(agent);
  agent.createConnection = ((
    connectOptions: ConnectionOptions & { host?: string; port?: number },
    callback?: (err: Error | null, socket: Duplex) => void,
  ) => {
    const host = (connectOptions.host ?? '').toLowerCase();
    const port = hosts.get(host);
    if (port === undefined) return original(connectOptions, callback);
    return connect({ ...connectOptions, host: '127.0.0.1', port, servername: host, ca });
  }) as Agent['createConnection'];
  return agent;
}

/** A minimal WHATWG `fetch` over node:http(s) with the emulator agent (for injection into clients). */
export type EmulatorFetch = (
  input: string | URL,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

function headerList(headers: IncomingHttpHeaders): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v]);
  }
  return out;
}

/** Builds a `fetch` that reaches the emulator under any of its host names. */
export function emulatorFetch(agent: Agent): EmulatorFetch {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(String(input));
      const secure = url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const body = init.body;
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = send(url, { method: init.method ?? 'GET', headers, ...(secure ? { agent } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers: headerList(res.headers) }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
}

/** The shape of msal-node's `INetworkModule` (kept structural so msal stays a dev dependency). */
export interface MsalNetworkModule {
  sendGetRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
    timeout?: number,
  ): Promise<{ headers: Record<string, string>; body: T; status: number }>;
  sendPostRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<{ headers: Record<string, string>; body: T; status: number }>;
}

/** An msal-node network client on top of an emulator `fetch`. */
export function msalNetworkClient(fetchFn: EmulatorFetch): MsalNetworkModule {
  const send = async <T>(url: string, method: string, options?: { headers?: Record<string, string>; body?: string }) => {
    const response = await fetchFn(url, {
      method,
      headers: options?.headers ?? {},
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { headers, body: (await response.json()) as T, status: response.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}
