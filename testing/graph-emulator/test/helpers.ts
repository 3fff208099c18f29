import { randomUUID } from 'node:crypto';
import { type GraphEmulator, type GraphEmulatorOptions, startGraphEmulator } from '../src/index.js';

export const ALL_PERMISSIONS = [
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Directory.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'EntitlementManagement.ReadWrite.All',
  'LicenseAssignment.ReadWrite.All',
  'Organization.Read.All',
];

export interface TestTenant {
  graph: GraphEmulator;
  clientId: string;
  secret: string;
  token: string;
  /** Raw Graph call over HTTPS with the emulator's trust; JSON bodies. */
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; headers: Headers; json: any; text: string }>;
  tokenFor: (clientId: string, secret: string) => Promise<string>;
}

/** Posts a client-secret token request and returns the parsed answer. */
export async function requestToken(graph: GraphEmulator, form: Record<string, string>, base = graph.authority) {
  const response = await graph.fetch(`${base}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

export async function startTenant(options: Partial<GraphEmulatorOptions> & { permissions?: string[] } = {}): Promise<TestTenant> {
  const clientId = randomUUID();
  const secret = `s3cret-${randomUUID()}`;
  const graph = await startGraphEmulator({
    ...options,
    apps: [
      { clientId, secret, displayName: 'test app', permissions: options.permissions ?? ALL_PERMISSIONS },
      ...(options.apps ?? []),
    ],
  });
  const tokenFor = async (id: string, value: string) => {
    const answer = await requestToken(graph, {
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: value,
      scope: graph.scope,
    });
    if (answer.status !== 200) throw new Error(`token: ${JSON.stringify(answer.json)}`);
    return answer.json.access_token as string;
  };
  const token = await tokenFor(clientId, secret);
  const call: TestTenant['call'] = async (method, path, body, headers = {}) => {
    const response = await graph.fetch(`${graph.graphUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  return { graph, clientId, secret, token, call, tokenFor };
}

export const EVENTUAL = { consistencylevel: 'eventual' };
