/** Requests to the emulator, with JSON answers read strictly: the kit's client, under the names these tests use. */
import { type JsonAnswer, postForm } from '@scimgw/testing-emulator-kit/client';

export { getJson as get, type JsonAnswer, postForm as postToken } from '@scimgw/testing-emulator-kit/client';

export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';

/** The SAML bearer grant with the usual parameters. */
export function requestToken(
  tokenUrl: string,
  params: { clientId: string; companyId: string; assertion: string; extra?: Record<string, string> },
): Promise<JsonAnswer> {
  return postForm(tokenUrl, {
    grant_type: SAML2_BEARER,
    client_id: params.clientId,
    company_id: params.companyId,
    assertion: params.assertion,
    ...params.extra,
  });
}
