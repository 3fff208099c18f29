import { createServer } from 'node:http';
import { fork } from 'node:child_process';
import { createGenericConnector } from '@scimgw/connector-generic';
import { createHelperRest } from '@scimgw/helper-rest';
const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'b1-u1',
  userName: 'b-user-1',
  externalId: 'ext-1',
  name: { givenName: 'Given1', familyName: 'Family1' },
  emails: [{ value: 'b-user-1@example.com', type: 'work', primary: true }],
  active: true,
  meta: {
    resourceType: 'User',
    created: '2026-12-05T18:25:38.313Z',
    lastModified: '2026-12-05T18:25:38.313Z',
    version: 'W/"abc"',
    location: 'http://127.0.0.1:1/Users/b1-u1',
  },
};
if (process.argv[2] === 'server') {
  const body = JSON.stringify(user);
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ['server']);
  const port = await new Promise((r) => child.once('message', r));
  const config = {
    entity: {
      undefined: {
        connection: {
          baseUrls: [`http://127.0.0.1:${port}`],
          auth: { type: 'basic', options: { username: 'gwadmin', password: 'password' } },
        },
      },
    },
  };
  const c = createGenericConnector({ config });
  const rest = createHelperRest({ endpoint: config });
  const impls = {
    connectorGet: async () => c.resources.User.get('b1-u1', { requestId: 'x' }, {}),
    restGet: async () => rest.doRequest(undefined, 'GET', '/Users/b1-u1', undefined, { requestId: 'x' }),
  };
  const N = 20000,
    C = 10;
  for (const name of (process.argv[2] ?? Object.keys(impls).join(',')).split(',')) {
    const f = impls[name];
    const run = async (n) => {
      let i = 0;
      await Promise.all(
        Array.from({ length: C }, async () => {
          while (i++ < n) await f();
        }),
      );
    };
    await run(5000);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(N);
    const cpu = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    console.log(
      name.padEnd(16),
      'CPU µs/req',
      ((cpu.user + cpu.system) / N).toFixed(1),
      'wall µs/req',
      ((ms * 1000) / N).toFixed(1),
    );
  }
  child.kill();
  await c.close();
  await rest.close();
}
