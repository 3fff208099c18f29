/**
 * A group PATCH that takes several SOAP operations (members removed and added one operation each,
 * then the other attributes) is answered as one, against the real example service (`soap.listen`):
 * run with the service answering each of its operations in turn with a fault, every error answer
 * leaves the service's users and groups as they were, and the same request sent again succeeds.
 * Members named by an add or a remove are not reversed (the service may have had them already).
 */
import type { ServerResponse } from 'node:http';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { walkRefusals } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type ExampleServer, exampleEndpoint, merge, startExampleServer } from './helpers.js';

/** The operations of a write: a fault to the `at`-th of them while armed (`after`: and to every later one). */
const WRITES = new Set(['addGroupMember', 'removeGroupMember', 'modifyGroup', 'replaceGroup']);
const fault = { armed: false, at: 0, after: false, seen: 0, refused: [] as string[] };

let server: ExampleServer;
let h: ScimHandler;
let logs: () => { msg: string; data?: Record<string, unknown> }[];

const operationOf = (headers: Record<string, unknown>) =>
  String(headers.soapaction ?? '')
    .replace(/"/g, '')
    .split(/[/#]/)
    .pop() ?? '';

const faultAnswer = (res: ServerResponse) => {
  res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' });
  res.end(
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>the directory is read-only for maintenance</faultstring></soap:Fault></soap:Body></soap:Envelope>',
  );
  return true;
};

beforeAll(async () => {
  server = await startExampleServer({
    port: 0,
    onRequest: async (req, res) => {
      const op = operationOf(req.headers);
      if (!fault.armed || !WRITES.has(op)) return false;
      fault.seen++;
      if (fault.seen !== fault.at && !(fault.after && fault.seen > fault.at)) return false;
      fault.refused.push(op);
      return faultAnswer(res);
    },
  });
  const endpoint = merge(exampleEndpoint('document', server.origin), {
    services: { directory: { wsdl: 'wsdl/directory-document.wsdl', path: 'directory' } },
    entity: { undefined: { connection: { timeout: 2_000, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 } } } },
  });
  const { connector, ctx } = await connectorFor(endpoint);
  logs = () => ctx.logs as unknown as ReturnType<typeof logs>;
  h = createScimHandler({ connector });
});
afterAll(async () => {
  await server?.close();
});

const call = async (method: string, url: string, body?: unknown) => {
  const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: res.body as Record<string, unknown> };
};

/** The service's stored users and groups. */
const snapshot = () =>
  JSON.stringify({
    users: [...server.store.directory.users.entries()].sort(),
    groups: [...server.store.directory.groups.entries()].sort(),
  });

async function created(path: string, body: unknown): Promise<string> {
  const r = await call('POST', path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return String(r.body.id);
}

/** A group PATCH that renames the group and replaces its members (a, b → b, c, d). */
async function groupPatch(n: string) {
  const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((x) => created('/Users', { userName: `${x}-${n}` })));
  const id = await created('/Groups', { displayName: `g-${n}`, members: [{ value: a }, { value: b }] });
  return {
    url: `/Groups/${id}`,
    members: { a, b, c, d },
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'displayName', value: `g-${n}-renamed` },
        { op: 'replace', path: 'members', value: [{ value: b }, { value: c }, { value: d }] },
      ],
    },
  };
}

describe('a group PATCH answered with an error changed nothing', () => {
  it('with each of its operations refused in turn', async () => {
    const summary = await walkRefusals({
      prepare: (at) => groupPatch(`w${at}`),
      snapshot: () => snapshot(),
      refuse: (at) => Object.assign(fault, { armed: true, at, after: false, seen: 0 }),
      disarm: () => {
        fault.armed = false;
        return fault.seen;
      },
      send: (req) => call('PATCH', req.url, req.body),
      status: 502,
    });
    // A member removed, two added, the name: four operations, each refused once.
    expect(summary).toEqual({ refused: 4, calls: 4 });
    expect(logs().filter((l) => /could not be undone/.test(l.msg))).toEqual([]);
  });

  it('members named by an add are not taken out again: the service may have had them', async () => {
    const req = await groupPatch('again');
    const { b, c } = req.members;
    const patch = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: b }, { value: c }] },
        { op: 'replace', path: 'displayName', value: 'renamed' },
      ],
    };
    // The service takes b, a member already, without a fault; c joins; the rename is refused.
    Object.assign(fault, { armed: true, at: 3, after: false, seen: 0 });
    const res = await call('PATCH', req.url, patch);
    fault.armed = false;
    expect(res.status).toBe(502);
    const group = (await call('GET', req.url)).body;
    const members = ((group.members as { value: string }[]) ?? []).map((m) => m.value).sort();
    expect(members).toEqual([req.members.a, b, c].sort());
    expect(group.displayName).toBe('g-again');
  });

  it('an undo the service refuses too is logged by operation, and the client gets the first error', async () => {
    const req = await groupPatch('undo');
    const seen = logs().length;
    Object.assign(fault, { armed: true, at: 2, after: true, seen: 0 });
    const res = await call('PATCH', req.url, req.body);
    fault.armed = false;
    expect(res.status).toBe(502);
    expect(String(res.body.detail)).toContain('addGroupMember');
    const warned = logs()
      .slice(seen)
      .filter((l) => /could not be undone/.test(l.msg));
    expect(warned.map((w) => String(w.data?.step).split(' ')[0])).toEqual(['removeMember']);
  });
});
