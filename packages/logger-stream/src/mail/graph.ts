import { type FetchFn, TokenCache, postForm, postJson, withToken } from './http.js';
import type { GraphAuthOptions, MailTransport, ResolvedMail } from './types.js';

/** Where the Graph transport talks to. */
export interface GraphEndpoints {
  fetch: FetchFn;
  /** e.g. `https://login.microsoftonline.com` */
  loginBase: string;
  /** e.g. `https://graph.microsoft.com` */
  graphBase: string;
}

const recipients = (list: string[]) => list.map((address) => ({ emailAddress: { address } }));

/**
 * Exchange Online delivery through Microsoft Graph: a client-credentials token
 * from `{login}/{tenant}/oauth2/v2.0/token` (scope `https://graph.microsoft.com/.default`),
 * then `POST {graph}/v1.0/users/{from}/sendMail`. The app needs the `Mail.Send`
 * application permission, ideally limited by an ApplicationAccessPolicy.
 *
 * @param options - tenant id, client id and secret
 * @param endpoints - fetch and base URLs
 */
export function createGraphTransport(options: GraphAuthOptions, endpoints: GraphEndpoints): MailTransport {
  const tokenUrl = `${trim(endpoints.loginBase)}/${encodeURIComponent(options.azureTenantId)}/oauth2/v2.0/token`;
  const tokens = new TokenCache(() =>
    postForm(endpoints.fetch, tokenUrl, {
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  );
  return {
    kind: 'graph',
    async send(mail: ResolvedMail) {
      const url = `${trim(endpoints.graphBase)}/v1.0/users/${encodeURIComponent(mail.from)}/sendMail`;
      const html = mail.html !== undefined;
      const body = {
        message: {
          subject: mail.subject,
          body: { contentType: html ? 'HTML' : 'Text', content: html ? mail.html : (mail.text ?? '') },
          toRecipients: recipients(mail.to),
          ...(mail.cc.length > 0 ? { ccRecipients: recipients(mail.cc) } : {}),
        },
        saveToSentItems: false,
      };
      await withToken(tokens, (token) => postJson(endpoints.fetch, url, token, body));
      return {};
    },
  };
}

function trim(base: string): string {
  return base.replace(/\/+$/, '');
}
