// Baseline: a bare express 5 app answering the same small JSON document.
import express from 'express';

const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] };
const app = express();
app.get('/{*any}', (_req, res) => res.json(body));
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
