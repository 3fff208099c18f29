/** Requests to the emulator, with JSON answers read strictly. */

export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
}

async function answer(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, json };
}

/** Posts form fields to the token endpoint. */
export async function postToken(tokenUrl: string, fields: Record<string, string>): Promise<JsonAnswer> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return answer(response);
}

/** The SAML bearer grant with the usual parameters. */
export function requestToken(
  tokenUrl: string,
  params: { clientId: string; companyId: string; assertion: string; extra?: Record<string, string> },
): Promise<JsonAnswer> {
  return postToken(tokenUrl, {
    grant_type: SAML2_BEARER,
    client_id: params.clientId,
    company_id: params.companyId,
    assertion: params.assertion,
    ...params.extra,
  });
}

/** GET with an optional Authorization header. */
export async function get(url: string, authorization?: string, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    headers: authorization === undefined ? headers : { ...headers, Authorization: authorization },
    signal: AbortSignal.timeout(10_000),
  });
  return answer(response);
}
