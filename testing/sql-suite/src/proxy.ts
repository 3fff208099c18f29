/**
 * A TCP proxy in front of a database server that can take the server "down" (every connection
 * cut, new ones closed at once) and bring it back, so that a test can restart the database from
 * the gateway's point of view without touching the real server other tests use.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  port: number;
  /** Cuts every open connection (a server restart). */
  dropAll(): void;
  /** `true`: cut everything and close new connections at once (the server is down); `false`: serve again. */
  setDown(down: boolean): void;
  /** Open client connections. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let down = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port: address.port,
    dropAll,
    setDown(value) {
      down = value;
      if (value) dropAll();
    },
    connections: () => pairs.size,
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
