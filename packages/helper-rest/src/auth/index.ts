/**
 * Picks the auth flow for a connection's `auth.type`.
 */
import type {
  BasicAuthOptions,
  BearerAuthOptions,
  JwtBearerOptions,
  OAuthClientCredentialsOptions,
  SamlBearerOptions,
} from '../types.js';
import { basicAuth, staticBearerAuth } from './basic.js';
import { serviceAccountAuth } from './google.js';
import { jwtBearerAuth } from './jwt-bearer.js';
import { clientCredentialsAuth, passwordTokenAuth } from './oauth.js';
import { passThroughAuth } from './pass-through.js';
import { samlBearerAuth } from './saml-bearer.js';
import type { AuthDeps, AuthProvider } from './types.js';

const noAuth: AuthProvider = { authorize: async () => undefined, ready: () => undefined, refresh: () => false };

/** Builds the provider of a validated connection (see `config.ts` for validation). */
export function createAuthProvider(deps: AuthDeps): AuthProvider {
  const auth = deps.conn.auth;
  switch (auth.type) {
    case 'basic':
      return basicAuth(auth.options as BasicAuthOptions);
    case 'bearer':
    case 'token': {
      const o = auth.options as BearerAuthOptions;
      return o.token ? staticBearerAuth(o.token) : passwordTokenAuth(deps, o);
    }
    case 'oauth':
      return clientCredentialsAuth(deps, auth.options as OAuthClientCredentialsOptions);
    case 'oauthJwtBearer': {
      const o = auth.options as JwtBearerOptions;
      return o.serviceAccountKeyFile ? serviceAccountAuth(deps, o) : jwtBearerAuth(deps, o);
    }
    case 'oauthSamlBearer':
      return samlBearerAuth(deps, auth.options as SamlBearerOptions);
    case 'passThrough':
      return passThroughAuth();
    case 'none':
      return noAuth;
  }
}

export { passThroughAuth };
