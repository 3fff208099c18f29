import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

/** The part of hyco-https 1.4.5 the tests use (the package ships no types). */
export interface HycoServer extends EventEmitter {
  listen(): void;
  close(callback?: (error: Error | null) => void): void;
  closeRequested: boolean;
  controlChannel: { close(): void } | undefined;
}

export interface HycoModule {
  createRelayedServer(
    options: { server: string; token: string | (() => string) },
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ): HycoServer;
  createRelayToken(uri: string, keyName: string, key: string, expirationSeconds?: number): string;
  createRelayListenUri(namespace: string, path: string): string;
}

export const hyco = createRequire(import.meta.url)('hyco-https') as HycoModule;

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A hyco-https listener started by a test. */
export interface TestListener {
  readonly server: HycoServer;
  readonly errors: string[];
  /** Resolves on the next 'listening' event (the control channel was accepted). */
  nextListening(): Promise<void>;
  /** Resolves on the next 'error' event. */
  nextError(): Promise<string>;
  close(): void;
}

/** Starts `createRelayedServer` on `uri` with a token made by hyco-https itself. */
export function startHycoListener(
  uri: string,
  keyName: string,
  key: string,
  handler: Handler,
  options: { tokenSeconds?: number; staticToken?: boolean; answerOnResponseRendezvous?: boolean } = {},
): TestListener {
  const makeToken = () => hyco.createRelayToken(uri, keyName, key, options.tokenSeconds);
  const errors: string[] = [];
  let closed = false;
  const server: HycoServer = hyco.createRelayedServer(
    { server: uri, token: options.staticToken ? makeToken() : makeToken },
    (req, res) => {
      if (options.answerOnResponseRendezvous) answerOnResponseRendezvous(server, req, res);
      handler(req, res);
    },
  );
  server.on('error', (event: { message?: string }) => errors.push(String(event?.message ?? event)));
  // hyco-https may have a reconnect timer pending when close() is called; a channel it opens later is closed at once.
  server.on('listening', () => {
    if (closed) server.controlChannel?.close();
  });
  server.listen();
  return {
    server,
    errors,
    nextListening: () => new Promise((resolve) => server.once('listening', () => resolve())),
    nextError: () =>
      new Promise((resolve) => server.once('error', (event: { message?: string }) => resolve(String(event?.message ?? event)))),
    close: () => {
      closed = true;
      try {
        server.close();
      } catch {
        // already closed
      }
    },
  };
}

/**
 * The listener-side fix for a gap in hyco-https 1.4.5: when a response is too large for the
 * control channel, it opens a rendezvous WebSocket but never reads requests from it, while the
 * service routes the sender's later requests over that socket. Handing the socket to hyco-https's
 * own request-channel handling makes those requests answered.
 */
export function answerOnResponseRendezvous(server: HycoServer, req: IncomingMessage, res: ServerResponse): void {
  res.once('socket', (socket: unknown) => {
    if (socket !== server.controlChannel && socket !== (req as unknown as { socket: unknown }).socket)
      server.emit('requestchannel', socket);
  });
}

/** Starts a listener and waits until the emulator has accepted its control channel. */
export async function listening(
  uri: string,
  keyName: string,
  key: string,
  handler: Handler,
  options?: Parameters<typeof startHycoListener>[4],
): Promise<TestListener> {
  const listener = startHycoListener(uri, keyName, key, handler, options);
  await listener.nextListening();
  return listener;
}
