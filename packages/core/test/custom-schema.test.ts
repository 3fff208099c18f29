import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../src/index.js';
import { createScimHandler, parseSchemaDocument } from '../src/handler/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

const EXT = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const doc = {
  schemas: [
    {
      id: EXT,
      name: 'AcmeUser',
      attributes: [
        { name: 'badge', type: 'integer' },
        { name: 'clearance', canonicalValues: ['low', 'high'] },
        { name: 'secretCode', returned: 'never' },
        { name: 'sites', multiValued: true, subAttributes: [{ name: 'value' }, { name: 'primary', type: 'boolean' }] },
      ],
    },
  ],
  extensions: { User: [EXT] },
};

describe('custom schemas from configuration', () => {
  it('applies RFC defaults and serves the schema in discovery', async () => {
    const parsed = parseSchemaDocument(doc);
    expect(parsed.schemas[0]?.attributes[0]).toMatchObject({
      name: 'badge',
      type: 'integer',
      multiValued: false,
      mutability: 'readWrite',
      returned: 'default',
    });
    const connector = memoryConnector();
    const h = createScimHandler({ connector, registry: new SchemaRegistry(parsed) });
    const s = await h.handle({ method: 'GET', url: `/Schemas/${EXT}` });
    expect(s.status).toBe(200);
    const rt = await h.handle({ method: 'GET', url: '/ResourceTypes/User' });
    expect((rt.body as { schemaExtensions: { schema: string }[] }).schemaExtensions.map((e) => e.schema)).toContain(EXT);

    const bad = await h.handle({
      method: 'POST',
      url: '/Users',
      body: JSON.stringify({ userName: 'ext', [EXT]: { badge: '42', clearance: 'high' } }),
    });
    // A number as a string is no number: refused, not coerced.
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('badge') });
    const c = await h.handle({
      method: 'POST',
      url: '/Users',
      body: JSON.stringify({
        userName: 'ext',
        [EXT]: { badge: 42, clearance: 'high', secretCode: 'x', sites: [{ value: 'oslo' }] },
      }),
    });
    expect(c.status).toBe(201);
    const ext = (c.body as Record<string, Record<string, unknown>>)[EXT];
    expect(ext).toEqual({ badge: 42, clearance: 'high', sites: [{ value: 'oslo' }] });
    const f = await h.handle({ method: 'GET', url: `/Users?filter=${encodeURIComponent(`${EXT}:badge gt 41`)}` });
    expect((f.body as { totalResults: number }).totalResults).toBe(1);
    const p = await h.handle({
      method: 'PATCH',
      url: `/Users/${(c.body as { id: string }).id}`,
      body: JSON.stringify({ Operations: [{ op: 'replace', path: `${EXT}:badge`, value: 7 }] }),
    });
    expect((p.body as Record<string, Record<string, unknown>>)[EXT]?.badge).toBe(7);
  });

  it.each([
    [[], /must be a JSON object/],
    [{ schemas: {} }, /schemas: must be an array/],
    [{ schemas: [{ id: 'nope', attributes: [] }] }, /schemas\[0\]\.id: must be a schema URN/],
    [{ schemas: [{ id: 'urn:x', attributes: [{ name: '1bad' }] }] }, /attributes\[0\]\.name/],
    [{ schemas: [{ id: 'urn:x', attributes: [{ name: 'a', type: 'text' }] }] }, /attributes\[0\]\.type: must be one of/],
    [{ schemas: [{ id: 'urn:x', attributes: [{ name: 'a', required: 'yes' }] }] }, /attributes\[0\]\.required/],
    [
      { schemas: [{ id: 'urn:x', attributes: [{ name: 'a', subAttributes: [{ name: 'b', subAttributes: [] }] }] }] },
      /one level deep/,
    ],
    [{ extensions: { User: 'urn:x' } }, /extensions\.User: must be an array/],
  ])('rejects %j naming the path', (bad, msg) => {
    expect(() => parseSchemaDocument(bad, 'scim.customSchemas')).toThrow(msg);
  });
});

describe('vendor keys', () => {
  it('publishes x-* keys of a schema under /Schemas', async () => {
    const connector = memoryConnector();
    const parsed = parseSchemaDocument(doc);
    const first = parsed.schemas[0];
    if (first) first['x-agent-schema'] = { instructions: 'badge numbers are integers' };
    const h = createScimHandler({ connector, registry: new SchemaRegistry(parsed) });
    const s = await h.handle({ method: 'GET', url: `/Schemas/${EXT}` });
    expect((s.body as Record<string, unknown>)['x-agent-schema']).toEqual({ instructions: 'badge numbers are integers' });
  });
});
