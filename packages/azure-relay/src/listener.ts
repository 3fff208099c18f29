/**
 * Listening through Azure Relay Hybrid Connections with hyco-https: requests that arrive through
 * the relay go to the same request listener as the host's port (auth, tenants, logging, limits);
 * the listener's state is kept for `/readyz`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@scimgw/core';
import { setRequestOrigin } from '@scimgw/server';
import { type RelayAddress, relayAddress, stripPrefix } from './address.js';
import { type HycoServer, type HycoSocket, loadHyco } from './hyco.js';

/** The `scimgateway.azureRelay` section (validated by @scimgw/server's schema). */
export interface AzureRelayConfig {
  enabled?: boolean | undefined;
  connectionUrl?: string | null | undefined;
  keyRule?: string | null | undefined;
  apiKey?: string | null | undefined;
  token?: string | null | undefined;
}

/** Where the listener stands. */
export type RelayState = 'connecting' | 'listening' | 'reconnecting' | 'stopped';

/** What `/readyz` shows of the listener (never a key or token). */
export interface RelayStatus {
  state: RelayState;
  /** The SCIM base URL clients use through the relay. */
  url: string;
  /** Since when the listener is in this state (ISO time). */
  since: string;
  /** Control channels the relay accepted. */
  connects: number;
  /** Control channels lost. */
  disconnects: number;
  /** The last connection error, e.g. `Unexpected server response: 401`. */
  lastError?: string;
}

/** Options of {@link startRelayListener}. */
export interface RelayListenerOptions {
  config: AzureRelayConfig;
  /** The host's request listener: the same one its port serves. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  log: Logger;
  /** Lifetime of the SAS tokens made from keyRule + apiKey (default 3600 s; renewed hourly). */
  tokenSeconds?: number;
}

/** A running listener. */
export interface RelayListener {
  readonly address: RelayAddress;
  status(): RelayStatus;
  /** Stops listening (requests in flight on the relay are not waited for). */
  close(): Promise<void>;
}

/** A message for the log and `/readyz` from what ws reports (no URL: it holds no token, but keep it short). */
function errorText(e: unknown): string {
  const m = (e as { message?: unknown })?.message ?? (e as { error?: { message?: unknown } })?.error?.message;
  return typeof m === 'string' && m ? m.slice(0, 200) : 'connection failed';
}

/** A Uint8Array that is not a Buffer as a Buffer over the same memory; anything else as it is. */
function asBuffer(chunk: unknown): unknown {
  return chunk instanceof Uint8Array && !Buffer.isBuffer(chunk)
    ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    : chunk;
}

/**
 * Starts listening on the Hybrid Connection of `config.connectionUrl`. Returns at once: the state
 * is `connecting` until the relay accepts the control channel. hyco-https reconnects by itself
 * after a lost or refused control channel, waiting 0, 1, 2, 5, 10, then 30 s between attempts.
 *
 * @throws Error naming the config path when the section cannot be used
 */
export function startRelayListener(opts: RelayListenerOptions): RelayListener {
  const c = opts.config;
  // Bun answers require('ws') with its own WebSocket, which refuses the arguments hyco-https 1.4.5
  // passes: the listener could never connect, so the host does not start.
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined')
    throw new Error(
      'scimgateway.azureRelay.enabled: listening through Azure Relay needs Node.js (hyco-https does not run on Bun)',
    );
  const address = relayAddress(c.connectionUrl ?? '');
  const { hyco, Ws } = loadHyco();
  const seconds = opts.tokenSeconds ?? 3600;
  let token: () => string;
  if (c.keyRule && c.apiKey) {
    const { keyRule, apiKey } = c;
    token = () => hyco.createRelayToken(address.listenUri, keyRule, apiKey, seconds);
  } else if (c.token) {
    const fixed = c.token;
    token = () => fixed;
  } else throw new Error('scimgateway.azureRelay.apiKey: required: keyRule + apiKey (a shared access policy) or token');

  const log = opts.log;
  const st: Omit<RelayStatus, 'url'> = { state: 'connecting', since: new Date().toISOString(), connects: 0, disconnects: 0 };
  const setState = (s: RelayState) => {
    if (st.state !== s) {
      st.state = s;
      st.since = new Date().toISOString();
    }
  };
  let stopped = false;

  const server: HycoServer = hyco.createRelayedServer({ server: address.listenUri, token }, (req, res) => {
    // hyco-https answers a large response over a rendezvous WebSocket but never reads the requests
    // the relay then sends over it; handing it to hyco-https's request-channel handling does.
    res.once('socket', (socket: unknown) => {
      if (socket !== server.controlChannel && socket !== (req as { socket?: unknown }).socket)
        server.emit('requestchannel', socket);
    });
    req.url = stripPrefix(req.url ?? '/', address.pathPrefix);
    setRequestOrigin(req.headers, address.origin);
    // Destroying hyco-https's response destroys the WebSocket under it, which may be the control
    // channel every request shares: a response cut short is ended instead.
    res.destroy = () => {
      try {
        res.end();
      } catch {}
      return res;
    };
    // hyco-https takes strings and Buffers only; fetch bodies (a chained answer) are Uint8Arrays.
    const write = res.write;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      return (write as (...a: unknown[]) => boolean).call(this, asBuffer(chunk), ...rest);
    } as typeof res.write;
    const end = res.end;
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      return (end as (...a: unknown[]) => ServerResponse).call(this, asBuffer(chunk), ...rest);
    } as typeof res.end;
    opts.handler(req, res);
  });

  /** Refuses a sender WebSocket (hyco-https 1.4.5 throws on `accept` and takes the process down). */
  const refuseAccept = (accept: unknown) => {
    const target = (accept as { address?: unknown })?.address;
    if (typeof target !== 'string' || !target.startsWith('wss://')) return;
    const sep = target.includes('?') ? '&' : '?';
    try {
      const ws = new Ws(
        `${target}${sep}sb-hc-statusCode=501&sb-hc-statusDescription=${encodeURIComponent('WebSockets are not served')}`,
      );
      ws.on('error', () => {});
      ws.on('open', () => ws.close());
    } catch {}
    log.warn('azureRelay: a sender WebSocket was refused (501): only HTTP requests are served through the relay');
  };

  /** Guards a channel's message handler: malformed messages and `accept` never reach hyco-https. */
  const guard = (channel: HycoSocket, pending: () => unknown) => {
    const original = channel.onmessage;
    if (!original || (original as { guarded?: boolean }).guarded) return;
    const guarded = (event: { data: unknown }) => {
      if (pending() == null && typeof event.data === 'string') {
        let message: unknown;
        try {
          message = JSON.parse(event.data);
        } catch {
          log.warn('azureRelay: a malformed message from the relay was ignored');
          return;
        }
        if (typeof message !== 'object' || message === null) return;
        if ('accept' in message) return refuseAccept((message as { accept: unknown }).accept);
      }
      try {
        original.call(channel, event);
      } catch (e) {
        log.warn('azureRelay: a request from the relay could not be read', { err: errorText(e) });
      }
    };
    (guarded as { guarded?: boolean }).guarded = true;
    channel.onmessage = guarded;
  };

  server.on('listening', () => {
    const channel = server.controlChannel;
    // hyco-https may have had a reconnect pending when close() was called.
    if (stopped) {
      channel?.close();
      return;
    }
    st.connects++;
    delete st.lastError;
    setState('listening');
    log.info(`azureRelay: listening on ${address.origin}`);
    if (!channel) return;
    guard(channel, () => server.pendingRequest);
    channel.once('close', () => {
      if (stopped) return;
      st.disconnects++;
      setState('reconnecting');
      log.warn(`azureRelay: the relay connection closed; reconnecting to ${address.namespace}`);
    });
  });
  server.on('requestchannel', (channel: HycoSocket) => guard(channel, () => channel.pendingRequest));
  server.on('error', (e: unknown) => {
    if (stopped) return;
    const text = errorText(e);
    const first = st.lastError !== text;
    st.lastError = text;
    if (st.state === 'listening' || st.state === 'stopped') setState('reconnecting');
    // A refusal repeats with every attempt: logged when it changes, not each time.
    if (first)
      log.error(
        `azureRelay: cannot listen on ${address.origin}: ${text}${/\b40[13]\b/.test(text) ? ' (check keyRule, apiKey or token)' : ''}`,
      );
  });
  server.listen();

  return {
    address,
    status: () => ({ ...st, url: address.origin }),
    async close() {
      if (stopped) return;
      stopped = true;
      setState('stopped');
      try {
        server.close();
      } catch {}
    },
  };
}
