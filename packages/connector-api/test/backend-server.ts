/** A small REST backend (node:http, loopback) for the API connector tests. */
import { createServer, type Server } from 'node:http';

export interface Backend {
  base: string;
  requests: { method: string; url: string; authorization: string | undefined; body: unknown }[];
  close(): Promise<void>;
}

const CREDENTIALS = new Map([
  [`Basic ${Buffer.from('apiuser:Backend-Pa55').toString('base64')}`, 'default'],
  [`Basic ${Buffer.from('acme:Acme-Pa55').toString('base64')}`, 'acme'],
]);

/** `/products[/{id}]` with basic auth; answers with extra non-public fields. */
export async function startBackend(): Promise<Backend> {
  const items = new Map<string, Record<string, unknown>>([
    ['1', { id: '1', model: 'Tesla', title: 'Model 3', price: 42990, cost: 31000, supplier: 'Giga Berlin' }],
    ['2', { id: '2', model: 'Volvo', title: 'EX30', price: 36590, cost: 27000, supplier: 'Zhangjiakou' }],
  ]);
  let seq = 10;
  const requests: Backend['requests'] = [];
  const server: Server = createServer((req, res) => {
    (async () => {
      let text = '';
      for await (const c of req) text += c;
      const body = text ? JSON.parse(text) : undefined;
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      const send = (status: number, out?: unknown) => {
        res.writeHead(status, out === undefined ? {} : { 'content-type': 'application/json' });
        res.end(out === undefined ? undefined : JSON.stringify(out));
      };
      const who = CREDENTIALS.get(req.headers.authorization ?? '');
      if (!who) return send(401, { message: 'bad credentials' });
      const url = new URL(req.url ?? '/', 'http://x');
      const [, coll, id] = url.pathname.split('/');
      if (coll !== 'products') return send(404, { message: 'no such collection' });
      if (id === undefined) {
        if (req.method === 'GET') {
          const list = [...items.values()].filter((i) =>
            [...url.searchParams].every(([k, v]) => String(i[k] ?? '').toLowerCase() === v.toLowerCase()),
          );
          return send(200, { tenant: who, value: list });
        }
        if (req.method === 'POST') {
          const item = { ...body, id: String(++seq), cost: 1 };
          items.set(item.id, item);
          return send(201, item);
        }
        return send(405, { message: 'method' });
      }
      if (id === 'with-body' && req.method === 'DELETE') return send(200, { deleted: true });
      const cur = items.get(id);
      if (!cur) return send(404, { message: `product ${id} not found` });
      switch (req.method) {
        case 'GET':
          return send(200, cur);
        case 'PUT':
          items.set(id, { ...body, id });
          return send(200, items.get(id));
        case 'PATCH':
          items.set(id, { ...cur, ...body, id });
          return send(200, items.get(id));
        case 'DELETE':
          items.delete(id);
          return send(204);
        default:
          return send(405, { message: 'method' });
      }
    })().catch(() => {
      res.writeHead(500);
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
