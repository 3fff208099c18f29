/**
 * msal-node's network client on top of `@scimgw/helper-rest`, so token requests use the same
 * proxy, TLS settings and timeouts as Graph calls, and pass through its secret-masked logging.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { HelperRest } from '@scimgw/helper-rest';
import { RestError } from '@scimgw/helper-rest';

function headerRecord(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}

function parse(body: unknown): unknown {
  if (typeof body !== 'string') return body ?? {};
  try {
    return JSON.parse(body);
  } catch {
    return {};
  }
}

/**
 * An msal `INetworkModule` for one tenant's connection. Form bodies go out as `URLSearchParams`
 * so that `client_secret` and `client_assertion` are registered as secrets before any log line.
 */
export function msalNetworkClient(rest: HelperRest, tenantKey: string): INetworkModule {
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const headers = { ...(options?.headers ?? {}) };
    const form = method === 'POST' && options?.body !== undefined ? new URLSearchParams(options.body) : undefined;
    try {
      const res = await rest.doRequest(tenantKey, method, url, form, undefined, {
        headers,
        responseType: 'text',
        // A token request changes nothing: it may always be repeated.
        retryNonIdempotent: true,
      });
      return { status: res.status, headers: headerRecord(res.headers), body: parse(res.body) as T };
    } catch (e) {
      // msal reads the AADSTS error from the body itself.
      if (e instanceof RestError) return { status: e.status, headers: headerRecord(e.headers), body: parse(e.body) as T };
      throw e;
    }
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
